import { describe, expect, it } from 'vitest';
import { TarExtractReport } from './tar-extract-report.js';

// Lines as GNU tar 1.34 prints them (LC_ALL=C, -vv --quoting-style=escape) on a ramfs and as a user other than root.
describe('TarExtractReport', () => {
  it('refuses only when members with ACLs meet ACLs that cannot be set; names come unescaped then shown escaped', () => {
    const report = new TarExtractReport();
    report.listing('-rw-r--r--  root/root 1073741829 2026-12-04 16:46 srv/sparse');
    report.stderr("tar: acl_set_file_at: Cannot set POSIX ACLs for file 'srv/sparse': Operation not supported");
    expect(report.aclLoss()).toBeUndefined(); // no member had an ACL: nothing is lost
    report.listing('-rw-rw----+ root/root          2 2026-12-04 16:46 srv/caf\\351 acl');
    report.listing('drwxr-x---+ root/root          0 2026-12-04 16:46 srv/dir/');
    report.stderr(
      "tar: acl_delete_def_file_at: Cannot drop default POSIX ACLs for file 'srv/dir': Operation not supported",
    );
    expect(report.aclLoss()).toBe(
      'POSIX ACLs could not be set here (operation not supported, e.g. on srv/sparse) and 2 files of the backup have ACLs (srv/caf\\xe9 acl, srv/dir/): without them they would be more accessible than before',
    );
    expect(report.tail).toEqual([]);
  });

  it('names members of types a backup never has (devices, volume labels), not files, dirs, links or FIFOs', () => {
    const report = new TarExtractReport();
    for (const line of [
      '-rw-r--r--  root/root          5 2026-12-04 18:24 srv/app/ok.txt',
      'drwxr-xr-x                  Creating directory: srv',
      'hrw-r--r--  root/root          0 2026-12-04 18:24 srv/app/h link to srv/app/ok.txt',
      'lrwxrwxrwx  root/root          0 2026-12-04 18:24 srv/app/l -> ok.txt',
      'prw-r--r--  root/root          0 2026-12-04 18:24 srv/app/fifo',
    ])
      report.listing(line);
    expect(report.oddMembers()).toBeUndefined();
    report.listing('crw-rw-rw-  root/root        1,3 2026-12-04 18:24 srv/app/null');
    report.listing('brw-rw-rw-+ root/root        7,0 2026-12-04 18:24 srv/app/d\\351isk');
    report.listing('Vrw-r--r--  root/root          0 2026-12-04 18:24 label');
    report.listing('crw-rw-rw-  root/root        1,5 2026-12-04 18:24 srv/app/zero');
    expect(report.oddMembers()).toBe(
      'character device srv/app/null, block device srv/app/d\\xe9isk, volume label label, ...',
    );
  });

  it('groups extended attributes that could not be set by attribute and reason, with a hint', () => {
    const report = new TarExtractReport();
    report.stderr(
      "tar: setxattrat: Cannot set 'security.capability' extended attribute for file './cap': Operation not permitted",
    );
    report.stderr("tar: setxattrat: Cannot set 'trusted.t' extended attribute for file './f': Operation not permitted");
    report.stderr("tar: setxattrat: Cannot set 'trusted.t' extended attribute for file './g': Operation not permitted");
    report.stderr("tar: setxattrat: Cannot set 'user.foo' extended attribute for file './f': Operation not supported");
    expect(report.warnings()).toEqual([
      'extended attribute security.capability not restored on 1 file (./cap): operation not permitted: restore as root to keep it',
      'extended attribute trusted.t not restored on 2 files (./f, ./g): operation not permitted: restore as root to keep it',
      'extended attribute user.foo not restored on 1 file (./f): operation not supported: the target filesystem does not support it',
    ]);
    expect(report.aclLoss()).toBeUndefined();
  });

  it("keeps escapes apart from tar's own errors (the last three lines)", () => {
    const report = new TarExtractReport();
    report.stderr("tar: Removing leading `/' from member names");
    for (const n of [1, 2, 3, 4]) report.stderr(`tar: x${n}: Cannot open: No space left on device`);
    expect(report.unsafe).toEqual(["tar: Removing leading `/' from member names"]);
    expect(report.tail).toEqual([
      'tar: x2: Cannot open: No space left on device',
      'tar: x3: Cannot open: No space left on device',
      'tar: x4: Cannot open: No space left on device',
    ]);
  });
});

describe('TarExtractReport of a differential', () => {
  it('counts the deletions tar announces on stdout, never as odd members', () => {
    const said = new TarExtractReport();
    said.listing("tar: Deleting 'srv/www/old.html'");
    said.listing('-rw-r--r-- root/root         4 2026-12-05 18:25 srv/www/new.html');
    expect(said.oddMembers()).toBeUndefined();
    expect([said.members, said.deleted]).toEqual([1, 1]);
  });
});
