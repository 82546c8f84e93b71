# Installs backup-agent and declares the jobs listed in node['backup_agent'] attributes.
# Wrapper cookbooks usually call the resources directly instead:
#
#   backup_agent_file_backup 'www' do
#     assets %w(/var/www /etc/nginx)
#     exclude ['**/*.log']
#     bucket 'acme-backups'
#     schedule '15 3 * * *'
#   end
backup_agent_install 'backup-agent'

node['backup_agent']['file_backups'].each do |name, settings|
  backup_agent_file_backup name do
    settings.each { |property, value| send(property.to_sym, value) }
  end
end

node['backup_agent']['mysql_backups'].each do |name, settings|
  backup_agent_mysql_backup name do
    settings.each { |property, value| send(property.to_sym, value) }
  end
end
