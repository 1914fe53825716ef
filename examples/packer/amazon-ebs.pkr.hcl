# An AMI built from Amazon Linux 2023, hardened and reviewed by shelfready
# with the Alibaba Cloud Marketplace profile before it is captured (the same
# image is often sold on both marketplaces).
#
# shelfready runs on the Packer host (shell-local) and connects over SSH with
# Packer's build variables; nothing is uploaded by Packer. The build user
# (ec2-user) is not root, so shelfready runs its commands through sudo.
#
#   export AWS_PROFILE=...                           # or the AWS_* variables
#   export PKR_VAR_server_guard_install_code=...     # never on the command line
#   packer build -var server_guard_url=... -var server_guard_sha256=... \
#     examples/packer/amazon-ebs.pkr.hcl
#
# Packer 1.6.6 (Debian's package). See docs/packer.md.

variable "region" {
  type    = string
  default = "us-east-1"
}

variable "instance_type" {
  type    = string
  default = "t3.small"
}

variable "ami_name" {
  type    = string
  default = "vendor-app"
}

variable "ssh_username" {
  type    = string
  default = "ec2-user"
}

# Without these Packer makes a temporary key pair, and EC2 makes it RSA. The
# libssh2 of Debian 12 signs with RSA keys only as ssh-rsa (SHA-1), which
# Amazon Linux 2023 refuses: give an ed25519 key pair of your own (imported
# into EC2 under ssh_keypair_name). Either way build.SSHPrivateKey holds the
# private key, since amazon-ebs reads ssh_private_key_file into it.
variable "ssh_keypair_name" {
  type    = string
  default = ""
}

variable "ssh_private_key_file" {
  type    = string
  default = ""
}

variable "shelfready" {
  type    = string
  default = "shelfready"
}

variable "profile" {
  type        = string
  default     = ""
  description = "profile path or name; empty: alibaba-image.yaml beside this template"
}

# The Linux installer of Server Guard, its SHA-256 and the install code that
# binds the instance to the vendor's account (Server Guard console).
variable "server_guard_url" {
  type = string
}

variable "server_guard_sha256" {
  type = string
}

variable "server_guard_install_code" {
  type      = string
  sensitive = true
}

variable "output_dir" {
  type    = string
  default = "output"
}

variable "manifest" {
  type    = string
  default = "packer-manifest.json"
}

locals {
  stamp   = formatdate("YYYYMMDDhhmmss", timestamp())
  profile = var.profile != "" ? var.profile : "${path.root}/alibaba-image.yaml"
  shelfready_env = [
    "SHELFREADY=${var.shelfready}",
    "SR_PROFILE=${local.profile}",
    "SR_OUT=${var.output_dir}",
    "SR_BUILD_USER=${var.ssh_username}",
    "SR_SG_URL=${var.server_guard_url}",
    "SR_SG_SHA256=${var.server_guard_sha256}",
  ]
}

source "amazon-ebs" "marketplace" {
  region        = var.region
  instance_type = var.instance_type
  source_ami_filter {
    filters = {
      name                = "al2023-ami-2023.*-x86_64"
      virtualization-type = "hvm"
    }
    owners      = ["amazon"]
    most_recent = true
  }
  ami_name        = "${var.ami_name}-${local.stamp}"
  ami_description = "built by Packer, reviewed by shelfready before capture"
  launch_block_device_mappings {
    device_name           = "/dev/xvda"
    volume_size           = 20
    volume_type           = "gp3"
    throughput            = 125
    iops                  = 3000
    delete_on_termination = true
  }
  ssh_username         = var.ssh_username
  ssh_keypair_name     = var.ssh_keypair_name
  ssh_private_key_file = var.ssh_private_key_file
  ssh_timeout          = "10m"
  tags = {
    reviewed_by = "shelfready"
  }
}

build {
  sources = ["source.amazon-ebs.marketplace"]

  # Before capture: remediate and verify; any exit but 0 fails the build
  # here and no AMI is made.
  provisioner "shell-local" {
    environment_vars = concat(local.shelfready_env, [
      "SR_HOST=${build.Host}",
      "SR_PORT=${build.Port}",
      "SR_USER=${build.User}",
      "SR_ID=${build.ID}",
      "SR_KEY=${build.SSHPrivateKey}",
      "SR_SERVER_GUARD_CODE=${var.server_guard_install_code}",
    ])
    # exec: the shell Packer starts with these variables on its command line
    # gives way at once, so `ps` does not show the key or the install code
    execute_command = ["/bin/sh", "-c", "{{.Vars}} exec {{.Script}}"]
    inline = [<<-EOS
      mkdir -p "$SR_OUT"
      sudo=
      [ "$SR_USER" = root ] || sudo=--sudo
      # a known_hosts file of this build alone for the instance's new host key
      kh=$(mktemp)
      trap 'rm -f "$kh"' EXIT
      "$SHELFREADY" run -p "$SR_PROFILE" $sudo \
        --var "server_guard_url=$SR_SG_URL" --var "server_guard_sha256=$SR_SG_SHA256" \
        --var "build_user=$SR_BUILD_USER" \
        --no-agent --key-env SR_KEY --host-key accept-new --known-hosts "$kh" --wait 300 \
        --save-facts "$SR_OUT/$PACKER_BUILD_NAME-facts.json" \
        --report text \
        --report "json=$SR_OUT/$SR_ID-run.json" \
        --report "html=$SR_OUT/$SR_ID-report.html" \
        "$SR_USER@$SR_HOST:$SR_PORT"
      EOS
    ]
  }

  post-processor "manifest" {
    output = var.manifest
    custom_data = {
      shelfready_report = "${var.output_dir}/${source.name}-report.json"
    }
  }

  # After capture: the AMI of this run judged on the saved facts and named in
  # the reports; exit 1 (not compliant) fails the build.
  post-processor "shell-local" {
    environment_vars = concat(local.shelfready_env, ["SR_MANIFEST=${var.manifest}"])
    inline = [<<-EOS
      "$SHELFREADY" verify -p "$SR_PROFILE" \
        --var "server_guard_url=$SR_SG_URL" --var "server_guard_sha256=$SR_SG_SHA256" \
        --var "build_user=$SR_BUILD_USER" \
        --facts "$SR_OUT/$PACKER_BUILD_NAME-facts.json" \
        --packer-manifest "$SR_MANIFEST" --packer-build "$PACKER_BUILD_NAME" \
        --report text \
        --report "json=$SR_OUT/$PACKER_BUILD_NAME-report.json" \
        --report "html=$SR_OUT/$PACKER_BUILD_NAME-report.html"
      EOS
    ]
  }
}
