# backup_agent_install: the package (npm, from a tarball or the registry), the system user and the
# directories every job uses. Idempotent: npm runs only when `backup-agent --version` differs.
unified_mode true
provides :backup_agent_install

property :version, String, default: lazy { node['backup_agent']['version'] }
property :tarball, [String, nil], default: lazy { node['backup_agent']['tarball'] }

action_class do
  include BackupAgentCookbook::Helpers

  def installed_version
    result = shell_out(backup_agent_bin, '--version')
    result.exitstatus.zero? ? result.stdout.strip : nil
  end
end

action :create do
  attrs = node['backup_agent']
  package attrs['system_packages'] unless attrs['system_packages'].empty?

  group attrs['group'] do
    system true
  end
  user attrs['user'] do
    gid attrs['group']
    system true
    home attrs['state_dir']
    manage_home false
    shell '/usr/sbin/nologin'
  end

  directory attrs['config_dir'] do
    owner 'root'
    group attrs['group']
    mode '0750'
  end
  directory attrs['state_dir'] do
    owner attrs['user']
    group attrs['group']
    mode '0700'
  end

  version = new_resource.version
  spec = new_resource.tarball || "backup-agent@#{version}"
  installed = installed_version
  execute "npm install backup-agent #{version}" do
    command [attrs['npm'], 'install', '--global', '--prefix', attrs['npm_prefix'], '--no-audit', '--no-fund', spec]
    not_if { installed == version }
  end
end
