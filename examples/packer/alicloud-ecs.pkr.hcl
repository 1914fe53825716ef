# An Alibaba Cloud Marketplace image, hardened and reviewed by shelfready
# before it is captured.
#
# shelfready runs on the Packer host (shell-local): nothing is uploaded by
# Packer and nothing of shelfready stays in the image. It connects to the
# build instance over SSH with Packer's build variables, remediates with
# alibaba-image.yaml (the bundled alibaba-marketplace profile plus the Server
# Guard installation) and fails the build before capture unless every check
# passes. After capture a post-processor judges the saved facts again and
# names the image in the report: the gate a pipeline attaches to the artifact.
#
#   export ALICLOUD_ACCESS_KEY=... ALICLOUD_SECRET_KEY=...
#   export PKR_VAR_server_guard_install_code=...     # never on the command line
#   packer build -var server_guard_url=... -var server_guard_sha256=... \
#     examples/packer/alicloud-ecs.pkr.hcl
#
# Packer 1.6.6 (Debian's package). See docs/packer.md.

variable "region" {
  type    = string
  default = "cn-hangzhou"
}

variable "instance_type" {
  type    = string
  default = "ecs.g7.large"
}

# An Alibaba Cloud Linux 3 public image; list them with
# `aliyun ecs DescribeImages --ImageOwnerAlias system`.
variable "source_image" {
  type    = string
  default = "aliyun_3_x64_20G_alibase_20230727.vhd"
}

variable "image_name" {
  type    = string
  default = "vendor-app"
}

# Alibaba Cloud Linux logs in as root; images whose build user is another
# (ecs-user) get --sudo below.
variable "ssh_username" {
  type    = string
  default = "root"
}

variable "shelfready" {
  type    = string
  default = "shelfready"
}

variable "profile" {
  type    = string
  default = ""
  description = "profile path or name; empty: alibaba-image.yaml beside this template"
}

# Server Guard's Linux installer, as the Server Guard console gives it: its
# URL and SHA-256 (shelfready refuses an installer whose digest differs),
# and the install code that binds the instance to the vendor's account.
variable "server_guard_url" {
  type = string
}

variable "server_guard_sha256" {
  type = string
}

# Give it as PKR_VAR_server_guard_install_code: Packer hides it in its
# output, and shelfready reads it from its environment, never from argv.
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

source "alicloud-ecs" "marketplace" {
  region                     = var.region
  instance_type              = var.instance_type
  source_image               = var.source_image
  image_name                 = "${var.image_name}-${local.stamp}"
  image_description          = "built by Packer, reviewed by shelfready before capture"
  internet_charge_type       = "PayByTraffic"
  internet_max_bandwidth_out = 10
  system_disk_mapping {
    disk_category = "cloud_essd"
    disk_size     = 40
  }
  # Packer creates a temporary key pair for the build: build.SSHPrivateKey
  # holds its private key as PEM text.
  ssh_username = var.ssh_username
  ssh_timeout  = "10m"
  tags = {
    reviewed_by = "shelfready"
  }
}

build {
  sources = ["source.alicloud-ecs.marketplace"]

  # Before capture: remediate and verify. Exit 0 only when compliant; any
  # other exit fails the build here and no image is made.
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
      # the instance's host key is new: a known_hosts file of this build
      # alone, which records it at the first connection and holds shelfready
      # to it for the rest of the run (reconnections after a reboot included)
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

  # After capture: the image of this run judged on the saved facts, named in
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
