# Shared by backup_agent_file_backup and backup_agent_mysql_backup: one job is one config file,
# one state directory and one systemd service + timer named after the job.
module BackupAgentCookbook
  module Helpers
    def backup_agent_bin
      ::File.join(node['backup_agent']['npm_prefix'], 'bin', 'backup-agent')
    end

    def job_config_path
      ::File.join(node['backup_agent']['config_dir'], "#{new_resource.job_name}.yml")
    end

    def job_secret_path(suffix)
      ::File.join(node['backup_agent']['config_dir'], "#{new_resource.job_name}.#{suffix}")
    end

    def job_unit
      "backup-agent-#{new_resource.job_name}"
    end

    def systemd_running?
      ::File.directory?('/run/systemd/system')
    end

    # The credentials of the data bag item (an encrypted one when credentials_secret_file is set),
    # unless access_key_id/secret_access_key are given. nil: no key file (the instance role is used).
    def job_secrets
      @job_secrets ||= begin
        if new_resource.access_key_id
          { 'aws_access_key_id' => new_resource.access_key_id, 'aws_secret_access_key' => new_resource.secret_access_key }
        elsif new_resource.credentials_data_bag
          secret = new_resource.credentials_secret_file && Chef::EncryptedDataBagItem.load_secret(new_resource.credentials_secret_file)
          item = data_bag_item(new_resource.credentials_data_bag, new_resource.credentials_data_bag_item, secret)
          item.to_hash.reject { |key, _| %w(id chef_type data_bag).include?(key) }
        end
      end
    end

    # The config.yml of this job as a Hash with string keys (rendered as YAML by config.yml.erb).
    def job_config(assets)
      destination = { 'type' => 's3', 'bucket' => new_resource.bucket, 'region' => new_resource.region, 'prefix' => new_resource.prefix }
      destination['endpoint'] = new_resource.endpoint if new_resource.endpoint
      destination['force_path_style'] = true if new_resource.force_path_style
      destination['ca_file'] = new_resource.ca_file if new_resource.ca_file
      destination['credentials'] = { 'key_file' => job_secret_path('s3-credentials') } if job_secrets && job_secrets['aws_access_key_id']
      config = {
        'host' => new_resource.host,
        'state_dir' => ::File.join(node['backup_agent']['state_dir'], new_resource.job_name),
        'destination' => destination,
        'compression' => { 'algorithm' => 'zstd', 'level' => 3 },
        'retention' => new_resource.retention,
        'schedule' => new_resource.schedule,
        'random_delay' => new_resource.random_delay,
      }
      config['encryption'] = { 'age_recipients' => new_resource.recipients } unless new_resource.recipients.empty?
      config['notify'] = { 'email' => { 'to' => new_resource.mail_to, 'when' => 'failure' } } unless new_resource.mail_to.empty?
      config['assets'] = assets
      config
    end

    # OnCalendar= for the job's schedule, computed by the agent itself (`schedule --print systemd`).
    def job_on_calendar
      output = shell_out!(backup_agent_bin, '--config', job_config_path, 'schedule', '--print', 'systemd').stdout
      output[/^OnCalendar=(.+)$/, 1]
    end

    # Declares the key file, config, service and timer of this job; `assets` are config.yml assets.
    def declare_backup_job(assets)
      svc_user = node['backup_agent']['user']
      svc_group = node['backup_agent']['group']
      job = new_resource.job_name
      delay = new_resource.random_delay
      secrets = job_secrets
      running = systemd_running?

      if secrets && secrets['aws_access_key_id']
        template job_secret_path('s3-credentials') do
          source 's3-credentials.erb'
          cookbook 'backup_agent'
          owner svc_user
          group svc_group
          mode '0600'
          sensitive true
          variables(key_id: secrets['aws_access_key_id'], secret: secrets['aws_secret_access_key'])
        end
      end

      config_path = job_config_path
      bin = backup_agent_bin
      template config_path do
        source 'config.yml.erb'
        cookbook 'backup_agent'
        owner 'root'
        group svc_group
        mode '0640'
        variables(config: job_config(assets))
        verify "#{bin} validate --config %{path}"
      end

      unit = job_unit
      calendar = method(:job_on_calendar)
      state_dir = ::File.join(node['backup_agent']['state_dir'], job)
      template ::File.join(node['backup_agent']['systemd_dir'], "#{unit}.service") do
        source 'backup-agent.service.erb'
        cookbook 'backup_agent'
        mode '0644'
        variables(job: job, bin: bin, config: config_path, user: svc_user, group: svc_group, state_dir: state_dir)
        notifies :run, 'execute[backup-agent systemctl daemon-reload]', :immediately
      end
      template ::File.join(node['backup_agent']['systemd_dir'], "#{unit}.timer") do
        source 'backup-agent.timer.erb'
        cookbook 'backup_agent'
        mode '0644'
        variables(lazy { { job: job, unit: unit, on_calendar: calendar.call, random_delay: delay } })
        notifies :run, 'execute[backup-agent systemctl daemon-reload]', :immediately
      end

      execute 'backup-agent systemctl daemon-reload' do
        command %w(systemctl daemon-reload)
        action :nothing
        only_if { running }
      end
      service "#{unit}.timer" do
        action [:enable, :start]
        only_if { running }
      end
    end

    # Stops and removes this job's units, then deletes its config and the given secret files.
    def delete_backup_job(secret_suffixes)
      running = systemd_running?
      %w(timer service).each do |kind|
        service "#{job_unit}.#{kind}" do
          action [:stop, :disable]
          only_if { running }
        end
        file ::File.join(node['backup_agent']['systemd_dir'], "#{job_unit}.#{kind}") do
          action :delete
        end
      end
      [job_config_path, *secret_suffixes.map { |suffix| job_secret_path(suffix) }].each do |path|
        file(path) { action :delete }
      end
    end
  end
end
