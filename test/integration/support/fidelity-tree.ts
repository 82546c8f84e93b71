// A tree with everything a files backup must bring back: copies of real system directories, and the
// cases tar is known to lose without the right flags (xattrs, ACLs, capabilities, sparse files,
// special files and modes, old times, odd names). Built with real tools; needs root (owners, trusted.*, setcap).
import { appendFile, chmod, chown, copyFile, link, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { assertMetadataTools } from './tree-snapshot.js';

const GiB = 1024 ** 3;

/** Joins `dir` and a name given as bytes (names that are not UTF-8). */
export const bytePath = (dir: string, ...name: (string | number[])[]) =>
  Buffer.concat([
    Buffer.from(`${dir}/`),
    ...name.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))),
  ]);

/** Creates the tree under `root` (which must not exist) and returns `root`. */
export async function makeFidelityTree(root: string): Promise<string> {
  await assertMetadataTools();
  await mkdir(join(root, 'system'), { recursive: true });
  // Real system files, modest for CI: /etc and part of /usr/share/doc (cp -a keeps their metadata and links).
  await execa('cp', ['-a', '/etc', join(root, 'system/etc')]);
  await execa('sh', [
    '-c',
    'cp -a /usr/share/doc/[a-c]* "$1"',
    'sh',
    await mkdir(join(root, 'system/doc'), { recursive: true }).then(() => join(root, 'system/doc')),
  ]);

  const meta = join(root, 'meta');
  await mkdir(meta);
  await writeFile(join(meta, 'user-xattr'), 'has user xattrs\n');
  await execa('setfattr', ['-n', 'user.comment', '-v', 'kept by the backup', join(meta, 'user-xattr')]);
  await execa('setfattr', ['-n', 'user.binary', '-v', '0x00ff10', join(meta, 'user-xattr')]);
  await writeFile(join(meta, 'trusted-xattr'), 'root-only xattr\n');
  await execa('setfattr', ['-n', 'trusted.origin', '-v', 'backup-agent test', join(meta, 'trusted-xattr')]);
  // group::r-- under mask rw-: without its ACL the file's group would get rw- (wider).
  await writeFile(join(meta, 'acl-file'), 'named user and mask\n');
  await chmod(join(meta, 'acl-file'), 0o640);
  await execa('setfacl', ['-m', 'u:nobody:rw-,g::r--,m::rw-', join(meta, 'acl-file')]);
  await mkdir(join(meta, 'acl-dir'));
  await execa('setfacl', ['-m', 'u:nobody:r-x', '-d', '-m', 'u:nobody:r-x,g::r-x', join(meta, 'acl-dir')]);
  await writeFile(join(meta, 'acl-dir/inherited'), 'inherits the default ACL\n');
  // An SELinux label: a plain security.* attribute on a machine without SELinux (as here), settable by root.
  await writeFile(join(meta, 'selinux-label'), 'labelled\n');
  await execa('setfattr', ['-n', 'security.selinux', '-v', 'system_u:object_r:etc_t:s0', join(meta, 'selinux-label')]);
  await copyFile('/bin/true', join(meta, 'cap-bin'));
  await execa('setcap', ['cap_net_raw,cap_net_bind_service+ep', join(meta, 'cap-bin')]);

  const sparse = join(root, 'sparse');
  await mkdir(sparse);
  await writeFile(join(sparse, 'disk.img'), 'boot sector\n');
  await execa('truncate', ['-s', String(GiB / 2), join(sparse, 'disk.img')]);
  await appendFile(join(sparse, 'disk.img'), Buffer.alloc(64 * 1024, 0x5a));
  await execa('truncate', ['-s', String(GiB), join(sparse, 'disk.img')]);

  const special = join(root, 'special');
  await mkdir(special);
  await execa('mkfifo', [join(special, 'fifo')]);
  await copyFile('/bin/true', join(special, 'setuid'));
  await chmod(join(special, 'setuid'), 0o4755);
  await mkdir(join(special, 'setgid-dir'));
  await chmod(join(special, 'setgid-dir'), 0o2775);
  await mkdir(join(special, 'sticky-dir'));
  await chmod(join(special, 'sticky-dir'), 0o1777);
  await writeFile(join(special, 'owned'), 'uid 1234 without a name\n');
  await chown(join(special, 'owned'), 1234, 2345);
  await writeFile(join(special, 'hard-a'), 'one inode, three names\n');
  await link(join(special, 'hard-a'), join(special, 'hard-b'));
  await link(join(special, 'hard-a'), join(special, 'setgid-dir/hard-c'));
  await symlink('hard-a', join(special, 'link'));
  await symlink('/nonexistent/target', join(special, 'dangling'));
  await mkdir(join(special, 'empty-dir'));
  await writeFile(join(special, 'pre-1970'), 'older than the epoch\n');
  await execa('touch', ['-h', '-d', '1960-06-15 12:34:56.123456789 UTC', join(special, 'pre-1970')]);

  const names = join(root, 'names');
  await mkdir(names);
  await writeFile(join(names, 'new\nline'), 'a newline in the name\n');
  await writeFile(bytePath(names, 'caf', [0xe9], '.txt'), 'latin-1 name\n');
  await mkdir(bytePath(names, 'dir', [0xff]));
  await writeFile(bytePath(names, 'dir', [0xff], '/inside'), 'in a directory whose name is not UTF-8\n');
  await writeFile(join(names, 'back\\slash co:lon'), 'a backslash and a colon\n');
  await writeFile(join(names, 'ünï cödé'), 'utf-8\n');
  // Times last: creating entries above changed the directories' mtimes.
  await execa('touch', ['-h', '-d', '2024-02-29 12:34:56.987654321 UTC', meta, sparse, names]);
  return root;
}
