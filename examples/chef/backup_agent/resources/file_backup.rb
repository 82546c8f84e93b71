# backup_agent_file_backup 'www': streams file trees to S3 on a schedule, in the spirit of the
# classic s3_file_backup. One job = /etc/backup-agent/NAME.yml + backup-agent-NAME.service/.timer.
unified_mode true
provides :backup_agent_file_backup

use '_partial/_job'
property :assets, Array, required: true, callbacks: { 'must list at least one path' => ->(paths) { !paths.empty? } }
property :exclude, Array, default: []

action_class do
  include BackupAgentCookbook::Helpers
end

action :create do
  declare_backup_job([{ 'name' => new_resource.job_name, 'type' => 'files', 'paths' => new_resource.assets, 'exclude' => new_resource.exclude }])
end

action :delete do
  delete_backup_job(%w(s3-credentials))
end
