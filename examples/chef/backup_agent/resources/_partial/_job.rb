# Properties every backup job has: where it goes (bucket, prefix, credentials) and when (schedule).
property :job_name, String, name_property: true, regex: /\A[A-Za-z0-9._-]+\z/
property :bucket, String, required: true
property :prefix, String, default: lazy { "#{node['hostname']}/" }, regex: %r{\A[A-Za-z0-9._\-/]*\z}
property :region, String, default: 'us-east-1'
property :endpoint, String
property :force_path_style, [true, false], default: false
property :ca_file, String
property :host, String, default: lazy { node['hostname'] }
property :schedule, String, default: '15 3 * * *'
property :random_delay, String, default: '15m'
property :retention, Hash, default: { 'daily' => 7, 'monthly' => 365 }
property :recipients, Array, default: []
property :mail_to, Array, default: []
# S3 credentials: these two, else the data bag item (encrypted with credentials_secret_file), else
# none (the instance role). The item holds aws_access_key_id / aws_secret_access_key (and mysql_password).
property :access_key_id, String, sensitive: true
property :secret_access_key, String, sensitive: true
property :credentials_data_bag, [String, nil], default: 'backup_agent'
property :credentials_data_bag_item, String, default: lazy { node['hostname'] }
property :credentials_secret_file, String
