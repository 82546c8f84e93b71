// The files `backup-agent init` writes: a commented starter config and the secret-file stubs it names.
import { join } from 'node:path';
import { withKeyComments } from './starter-comments.js';

/** What the starter config is made from. */
export interface StarterOptions {
  /** Directory that holds config.yml and the secret files (absolute). */
  dir: string;
  bucket: string;
  /** Key prefix, e.g. `web-01/`. */
  prefix: string;
  host: string;
  region: string;
}

/** One file `init` writes; every one is created with mode 0600. */
export interface StarterFile {
  path: string;
  content: string;
  /** What it is, for the "created"/"kept" lines. */
  role: string;
}

/** What `init` writes where only the operator knows the value; `check` fails while it is still there. */
export const PLACEHOLDER = 'REPLACE_ME';
/** The bucket `init` writes without --bucket. */
export const PLACEHOLDER_BUCKET = 'replace-me-backup-bucket';

// JSON strings are valid YAML scalars: user-supplied values cannot break the document.
const q = (value: string) => JSON.stringify(value);

/**
 * The commented config.yml: an S3 put-only destination, one files asset, a MySQL asset commented out.
 * The comment above each key is the schema's description of it, and a bare `@path` line is the key
 * with the schema's example as its value (see withKeyComments): only what `init` knows of this host
 * (bucket, prefix, region, paths of its files) is written here.
 */
export function starterConfig(options: StarterOptions): string {
  const keyFile = join(options.dir, 's3-credentials');
  const myCnf = join(options.dir, 'my.cnf');
  return withKeyComments(`# backup-agent configuration, written by \`backup-agent init\`. Every key is described in docs/config.md,
# in the words of the comments below (both come from the config schema). Check it with:
#   backup-agent --config ${join(options.dir, 'config.yml')} validate
host: ${q(options.host)} @host
@state_dir

destination: @destination
  type: s3 @destination.type
  bucket: ${q(options.bucket)} @destination.bucket
  region: ${q(options.region)} @destination.region
  prefix: ${q(options.prefix)} @destination.prefix
  # @destination.endpoint
  # @destination.force_path_style
  # ca_file: ${join(options.dir, 'ca.pem')} @destination.ca_file
  credentials: @destination.credentials
    key_file: ${keyFile} @destination.credentials.key_file
# A second copy: docs/storage.md#second-copy
# destinations: @destinations
#   - name: primary @destinations[].name
#     type: s3
#     (the keys of destination: above)
#   - name: offsite
#     type: local
#     path: /mnt/backup-disk

compression: { algorithm: zstd, level: 3 } @compression
@retention

# encryption: @encryption
#   @encryption.age_recipients

assets: @assets
  - name: etc @assets[].name
    type: files @assets[].type
    paths: [/etc] @assets[].paths
    exclude: ["**/*.swp", "**/*~"] @assets[].exclude
  # - name: www
  #   type: files
  #   paths: [/var/www]
  #   exclude: ["**/*.log", "**/node_modules/**", "**/cache/**"]
  # - name: mysql
  #   type: mysql
  #   databases: all @assets[].databases
  #   defaults_file: ${myCnf} @assets[].defaults_file

@schedule
@random_delay
@alert_after

# notify: @notify
#   email: { to: [ops@example.com], when: failure } @notify.email
#   ping: { success: https://hc-ping.com/UUID, fail: https://hc-ping.com/UUID/fail } @notify.ping
`);
}

/** The file `init --quickstart` writes into the current directory (or --dir). */
export const QUICKSTART_FILE = 'quickstart.yml';

/**
 * The quickstart config: `paths` (absolute) backed up into `quickstart-backups/` beside the config
 * (relative paths resolve against the config's directory), so it works as any user from any install.
 */
export function quickstartConfig(paths: string[]): string {
  return `# backup-agent quickstart, written by \`backup-agent init --quickstart\`. Relative paths below are
# relative to this file: the backups land in ./quickstart-backups/ next to it.
#   backup-agent -c ${QUICKSTART_FILE} run          back up now
#   backup-agent -c ${QUICKSTART_FILE} list         what is stored
#   backup-agent -c ${QUICKSTART_FILE} restore --asset examples --latest --to restored
host: quickstart
state_dir: quickstart-backups/state     # lock and last-run.json
destination:
  type: local
  path: quickstart-backups/store        # {tier}/{day}/quickstart/examples/{time}.tar.zst + each run's manifest
compression: { algorithm: zstd, level: 3 }
retention: { daily: 7, monthly: 365 }   # days per tier; older runs are removed after each complete run
assets:
  - name: examples
    type: files
    paths: [${paths.map(q).join(', ')}]   # backup-agent's example configs; put your own directories here
    exclude: ["**/*.log", "**/node_modules/**"]
`;
}

/** A `[client]` options file for mariadb-dump/mysqldump (used by a mysql asset's defaults_file). */
export function starterMyCnf(): string {
  return `# MySQL/MariaDB client options for backup-agent's dumps (defaults_file of a mysql asset). Mode 0600.
# The user needs: GRANT SELECT, SHOW VIEW, TRIGGER, EVENT ON *.* TO 'backup'@'localhost';
[client]
user = backup
password = ${PLACEHOLDER}
# socket = /run/mysqld/mysqld.sock
# host = 127.0.0.1
# port = 3306
`;
}

/** The key file stub for destination.credentials.key_file (INI, like ~/.aws/credentials). */
export function starterCredentials(): string {
  return `# Access key of the put-only IAM user (print its policy with: backup-agent policy). Mode 0600.
[default]
aws_access_key_id = ${PLACEHOLDER}
aws_secret_access_key = ${PLACEHOLDER}
`;
}

/** Every file `init` writes, in order: the secret stubs first, the config that names them last. */
export function starterFiles(options: StarterOptions): StarterFile[] {
  return [
    { path: join(options.dir, 's3-credentials'), content: starterCredentials(), role: 'S3 credentials stub' },
    { path: join(options.dir, 'my.cnf'), content: starterMyCnf(), role: 'MySQL client options template' },
    { path: join(options.dir, 'config.yml'), content: starterConfig(options), role: 'starter config' },
  ];
}
