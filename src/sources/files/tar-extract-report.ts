// What GNU tar said while extracting (`-vv --quoting-style=escape`, LC_ALL=C): members that would
// escape the target, metadata it could not set, and which members carry POSIX ACLs. Bounded: counts
// and the first few names, however many members the archive has.
import { decodeFileName, displayFileName, unquoteTarName } from './file-names.js';
import { must } from '../../shared/must.js';

/** tar's words for a member it refused or rewrote because it pointed outside the target. */
const ESCAPE =
  /Removing leading|Member name contains '\.\.'|Cannot open: Not a directory|Cannot hard link to|Cannot create symlink to/;
const PREFIX = String.raw`^(?:\S*/)?tar: `;
// tar prints these names unquoted: a name with a newline splits the line, which only shortens a message.
const ACL_NOT_SET = new RegExp(String.raw`${PREFIX}acl_set_file_at: Cannot set POSIX ACLs for file '(.*)': (.+)$`);
const XATTR_NOT_SET = new RegExp(
  String.raw`${PREFIX}\w+: Cannot set '(.+?)' extended attribute for file '(.*)': (.+)$`,
);
/** Dropping a default ACL that the archive does not have fails only where ACLs do not exist at all: harmless. */
const ACL_NOT_DROPPED = new RegExp(String.raw`${PREFIX}acl_delete_def_file_at: `);
/** A `-vv` listing line: mode, `+` when the member has ACLs, owner, size, date, time, then the quoted name. */
const LISTED_WITH_ACL = /^\S{10}\+ \S+ +\S+ \S+ \S+ (.*)$/;
const LISTED = /^\S{10}\+? +\S+ +\S+ \S+ \S+ (.*)$/;
/**
 * Member types a backup has, as the first letter of a `-vv` line: regular (`-`, `C` contiguous),
 * directory, symlink, hard link, FIFO. Devices (`c`, `b`), volume labels (`V`), multi-volume parts
 * (`M`) and unknown types (`?`) are not.
 */
const BACKUP_TYPES = new Set(['-', 'C', 'd', 'l', 'h', 'p']);
const TYPE_NAMES: Record<string, string> = {
  c: 'character device',
  b: 'block device',
  V: 'volume label',
  M: 'multi-volume part',
};
const SHOWN = 3;
/** With --listed-incremental, `-v` says on stdout which files a differential's directory records remove. */
const DELETING = new RegExp(String.raw`${PREFIX}Deleting '`);

/** Occurrences of one kind of problem: how many, the first names, and tar's reason. */
interface Tally {
  count: number;
  names: string[];
  reason: string;
}

/** Collects tar's stderr lines and its verbose listing of one extraction. */
export class TarExtractReport {
  /** Lines saying a member pointed outside the target. */
  readonly unsafe: string[] = [];
  /** The last other lines of stderr (tar's own errors), for messages. */
  readonly tail: string[] = [];
  /** Members listed (one `-vv` line each). */
  members = 0;
  /** Files a differential removed (deleted or renamed since its full). */
  deleted = 0;
  readonly #aclMembers: Tally = { count: 0, names: [], reason: '' };
  readonly #aclFailures: Tally = { count: 0, names: [], reason: '' };
  readonly #oddMembers: Tally = { count: 0, names: [], reason: '' };
  readonly #xattrFailures = new Map<string, Tally & { attribute: string }>();

  /** One line of tar's stderr. */
  stderr(line: string): void {
    if (ESCAPE.test(line)) {
      if (this.unsafe.length < SHOWN) this.unsafe.push(line);
      return;
    }
    const acl = ACL_NOT_SET.exec(line);
    if (acl) {
      count(
        this.#aclFailures,
        must(acl[1], 'the file of an ACL failure'),
        must(acl[2], 'the reason of an ACL failure'),
      );
      return;
    }
    const xattr = XATTR_NOT_SET.exec(line);
    if (xattr) {
      const attribute = must(xattr[1], 'the attribute of an xattr failure');
      const name = must(xattr[2], 'the file of an xattr failure');
      const reason = must(xattr[3], 'the reason of an xattr failure');
      const key = `${attribute}\0${reason}`;
      const tally = this.#xattrFailures.get(key) ?? { attribute, count: 0, names: [], reason };
      this.#xattrFailures.set(key, tally);
      count(tally, name, reason);
      return;
    }
    if (ACL_NOT_DROPPED.test(line) || line.trim() === '') return;
    this.tail.push(line);
    if (this.tail.length > SHOWN) this.tail.shift();
  }

  /** One line of tar's `-vv` listing on stdout. */
  listing(line: string): void {
    if (DELETING.test(line)) {
      this.deleted += 1;
      return;
    }
    if (LISTED.test(line)) this.members += 1;
    const type = line[0];
    if (type !== undefined && !BACKUP_TYPES.has(type)) {
      const name = LISTED.exec(line)?.[1];
      count(
        this.#oddMembers,
        `${TYPE_NAMES[type] ?? `type "${type}"`} ${name === undefined ? line : displayFileName(decodeFileName(unquoteTarName(name)))}`,
        '',
      );
    }
    const match = LISTED_WITH_ACL.exec(line);
    if (match)
      count(
        this.#aclMembers,
        displayFileName(decodeFileName(unquoteTarName(must(match[1], 'the name of a listed member')))),
        '',
      );
  }

  /** Members of a type backup-agent never writes (`character device srv/null, ...`), or undefined. */
  oddMembers(): string | undefined {
    return this.#oddMembers.count === 0 ? undefined : listed(this.#oddMembers);
  }

  /**
   * Why the restore must not be kept: members have ACLs and tar could not set ACLs here. Without
   * them a file's group bits (the ACL mask) would apply to its owning group: wider than before.
   */
  aclLoss(): string | undefined {
    const [members, failures] = [this.#aclMembers, this.#aclFailures];
    if (members.count === 0 || failures.count === 0) return undefined;
    return `POSIX ACLs could not be set here (${failures.reason.toLowerCase()}, e.g. on ${failures.names[0]}) and ${plural(members.count, 'file')} of the backup ${members.count === 1 ? 'has' : 'have'} ACLs (${listed(members)}): without them ${members.count === 1 ? 'it' : 'they'} would be more accessible than before`;
  }

  /** One line per extended attribute (and reason) tar could not set, e.g. as a user other than root. */
  warnings(): string[] {
    return [...this.#xattrFailures.values()].map((tally) => {
      const hint = /not permitted/i.test(tally.reason)
        ? ': restore as root to keep it'
        : /not supported/i.test(tally.reason)
          ? ': the target filesystem does not support it'
          : '';
      return `extended attribute ${tally.attribute} not restored on ${plural(tally.count, 'file')} (${listed(tally)}): ${tally.reason.toLowerCase()}${hint}`;
    });
  }
}

function count(tally: Tally, name: string, reason: string): void {
  tally.count += 1;
  tally.reason ||= reason;
  if (tally.names.length < SHOWN) tally.names.push(name);
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
const listed = (tally: Tally) => `${tally.names.join(', ')}${tally.count > tally.names.length ? ', ...' : ''}`;
