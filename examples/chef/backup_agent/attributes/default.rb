# Where the package and every job's files go. Node.js >= 20.19 and npm must be installed already
# (Debian 12's nodejs is 18: use NodeSource or your own package).
default['backup_agent']['version'] = '0.1.0'
# A tarball made by `npm pack` (path on the node); nil: install backup-agent@version from the npm registry.
default['backup_agent']['tarball'] = nil
default['backup_agent']['npm'] = 'npm'
default['backup_agent']['npm_prefix'] = '/usr/local'
default['backup_agent']['user'] = 'backup-agent'
default['backup_agent']['group'] = 'backup-agent'
default['backup_agent']['system_packages'] = %w(tar zstd)
default['backup_agent']['config_dir'] = '/etc/backup-agent'
default['backup_agent']['state_dir'] = '/var/lib/backup-agent'
default['backup_agent']['systemd_dir'] = '/etc/systemd/system'

# Jobs the default recipe declares, e.g.
# default['backup_agent']['file_backups']['www'] = { 'paths' => ['/var/www'], 'bucket' => 'acme-backups' }
# default['backup_agent']['mysql_backups']['mysql'] = { 'databases' => 'all', 'bucket' => 'acme-backups' }
default['backup_agent']['file_backups'] = {}
default['backup_agent']['mysql_backups'] = {}
