# A qcow2 image built locally with QEMU from a Debian 12 cloud image, hardened
# and reviewed by shelfready before Packer shuts the VM down and keeps its
# disk. Alibaba Cloud imports such a disk as a custom image (ECS
# ImportImage), which can then be published on the Marketplace.
#
# Packer forwards a port of this machine to the VM's SSH server, so
# build.Host is 127.0.0.1 and build.Port that port. shelfready runs on this
# machine (shell-local), logs in as the image's default user (debian) with
# the build key and uses sudo.
#
#   export PKR_VAR_server_guard_install_code=...     # never on the command line
#   packer build -var disk_image=debian-12-genericcloud-amd64.qcow2 \
#     -var disk_checksum=sha512:... -var ssh_private_key_file=build-key \
#     -var server_guard_url=... -var server_guard_sha256=... \
#     examples/packer/qemu.pkr.hcl
#
# Put the public half of the build key into qemu-seed/user-data first.
# Packer 1.6.6 (Debian's package). See docs/packer.md.

# A Debian 12 "genericcloud" qcow2 image (a local path or a URL) and its
# checksum, as "sha512:HEX"
variable "disk_image" {
  type = string
}

variable "disk_checksum" {
  type = string
}

variable "vm_name" {
  type    = string
  default = "vendor-app"
}

variable "accelerator" {
  type    = string
  default = "kvm"
}

# the build key; its public half is in qemu-seed/user-data
variable "ssh_private_key_file" {
  type = string
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

# Reports and facts go here, beside the VM's directory rather than inside
# it: Packer deletes its output directory when a build fails, and a failed
# build is when the reports are read.
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
    "SR_BUILD_USER=debian",
    "SR_SG_URL=${var.server_guard_url}",
    "SR_SG_SHA256=${var.server_guard_sha256}",
  ]
}

source "qemu" "marketplace" {
  iso_url          = var.disk_image
  iso_checksum     = var.disk_checksum
  disk_image       = true
  use_backing_file = false
  format           = "qcow2"
  disk_size        = "20G"
  disk_interface   = "virtio"
  net_device       = "virtio-net"
  accelerator      = var.accelerator
  headless         = true
  qemuargs         = [["-m", "2048M"], ["-smp", "2"]]
  output_directory = "${var.output_dir}/${var.vm_name}-${local.stamp}"
  vm_name          = "${var.vm_name}.qcow2"
  # the NoCloud seed: the build key for the default user
  cd_files = ["${path.root}/qemu-seed/user-data", "${path.root}/qemu-seed/meta-data"]
  cd_label = "cidata"

  ssh_username         = "debian"
  ssh_private_key_file = var.ssh_private_key_file
  ssh_timeout          = "10m"
  shutdown_command     = "sudo shutdown -P now"
}

build {
  sources = ["source.qemu.marketplace"]

  # Before the disk is kept: remediate and verify; any exit but 0 fails the
  # build here (and Packer deletes the VM's directory).
  provisioner "shell-local" {
    environment_vars = concat(local.shelfready_env, [
      "SR_HOST=${build.Host}",
      "SR_PORT=${build.Port}",
      "SR_USER=${build.User}",
      "SR_KEY_FILE=${var.ssh_private_key_file}",
      "SR_SERVER_GUARD_CODE=${var.server_guard_install_code}",
    ])
    # exec: the shell Packer starts with these variables on its command line
    # gives way at once, so `ps` does not show the install code
    execute_command = ["/bin/sh", "-c", "{{.Vars}} exec {{.Script}}"]
    inline = [<<-EOS
      mkdir -p "$SR_OUT"
      # the VM's host key is new, and the forwarded port changes from build
      # to build: a known_hosts file of this build alone
      kh=$(mktemp)
      trap 'rm -f "$kh"' EXIT
      "$SHELFREADY" run -p "$SR_PROFILE" --sudo \
        --var "server_guard_url=$SR_SG_URL" --var "server_guard_sha256=$SR_SG_SHA256" \
        --var "build_user=$SR_BUILD_USER" \
        --no-agent -i "$SR_KEY_FILE" --host-key accept-new --known-hosts "$kh" --wait 300 \
        --save-facts "$SR_OUT/$PACKER_BUILD_NAME-facts.json" \
        --report text \
        --report "json=$SR_OUT/$PACKER_BUILD_NAME-run.json" \
        --report "html=$SR_OUT/$PACKER_BUILD_NAME-run.html" \
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
