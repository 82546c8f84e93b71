# backup_agent_mysql_backup 'mysql': dumps MySQL/MariaDB databases with the real mariadb-dump into
# S3 on a schedule, in the spirit of the classic s3_mysql_backup. The password comes from the
# mysql_password property or the data bag item's mysql_password, and reaches the dump only through
# a 0600 my.cnf (never argv).
unified_mode true
provides :backup_agent_mysql_backup

use '_partial/_job'
property :databases, [Array, String], default: 'all', callbacks: { 'must be "all" or a list of names' => ->(d) { d == 'all' || (d.is_a?(Array) && !d.empty?) } }
property :mysql_user, String, default: 'backup'
property :mysql_password, String, sensitive: true
property :mysql_socket, String, default: '/run/mysqld/mysqld.sock'
property :mysql_host, String
property :concurrency, Integer, default: 1

action_class do
  include BackupAgentCookbook::Helpers

  def mysql_password
    new_resource.mysql_password || (job_secrets && job_secrets['mysql_password']) ||
      raise("backup_agent_mysql_backup[#{new_resource.job_name}]: set mysql_password or put mysql_password into the data bag item")
  end
end

action :create do
  my_cnf = job_secret_path('my.cnf')
  client = { user: new_resource.mysql_user, password: mysql_password, socket: new_resource.mysql_socket, host: new_resource.mysql_host }
  template my_cnf do
    source 'my.cnf.erb'
    cookbook 'backup_agent'
    owner node['backup_agent']['user']
    group node['backup_agent']['group']
    mode '0600'
    sensitive true
    variables(client)
  end
  declare_backup_job([{ 'name' => new_resource.job_name, 'type' => 'mysql', 'databases' => new_resource.databases,
                        'defaults_file' => my_cnf, 'concurrency' => new_resource.concurrency }])
end

action :delete do
  delete_backup_job(%w(s3-credentials my.cnf))
end
