# shelfready in a Packer build, against the local testbed (scripts/testbed.sh)
# with the `null` builder: the build VM already runs, Packer only connects to
# it. The wiring is the one of the cloud templates beside this file:
#
#   1. a shell-local provisioner runs `shelfready run` on this machine while
#      the build VM is up; a non-zero exit fails the build before capture;
#   2. the manifest post-processor records the artifact;
#   3. a shell-local post-processor runs `shelfready verify` on the saved
#      facts (the VM is gone by then) and names the artifact in its reports:
#      the gate a pipeline attaches to the artifact record.
#
#   eval "$(scripts/testbed.sh fresh pk-demo)"
#   packer build -var port=$TB_PORT -var ssh_private_key_file=$TB_KEY \
#     -var known_hosts=$TB_KNOWN_HOSTS -var shelfready=$PWD/build/shelfready \
#     examples/packer/testbed.pkr.hcl
#
# Packer 1.6.6 (Debian's package). See docs/packer.md.

variable "host" {
  type    = string
  default = "127.0.0.1"
}

variable "port" {
  type = number
}

variable "user" {
  type        = string
  default     = "root"
  description = "root, or builder (the testbed's non-root user with sudo)"
}

# With the null builder Packer reads no key into build.SSHPrivateKey (it is
# empty), so shelfready takes the same file with -i.
variable "ssh_private_key_file" {
  type = string
}

# The testbed writes the host keys of each instance here.
variable "known_hosts" {
  type = string
}

variable "shelfready" {
  type    = string
  default = "shelfready"
}

variable "profile" {
  type    = string
  default = ""
  description = "profile path or name; empty: testbed-pass.yaml beside this template"
}

# More options for `shelfready run` and `verify`, split into words by the shell.
variable "shelfready_args" {
  type    = string
  default = ""
}

variable "output_dir" {
  type    = string
  default = "output"
}

variable "manifest" {
  type    = string
  default = "packer-manifest.json"
}

# Exit codes of `shelfready run` that let the build go on to capture:
# 0 compliant; [0, 1] would capture a non-compliant image too (an advisory
# run), which the post-processor gate below still fails.
variable "valid_exit_codes" {
  type    = list(number)
  default = [0]
}

locals {
  profile = var.profile != "" ? var.profile : "${path.root}/testbed-pass.yaml"
  # what the provisioner and the post-processor both need, passed as
  # environment variables so that no value has to survive shell quoting
  shelfready_env = [
    "SHELFREADY=${var.shelfready}",
    "SR_PROFILE=${local.profile}",
    "SR_ARGS=${var.shelfready_args}",
    "SR_OUT=${var.output_dir}",
  ]
}

source "null" "testbed" {
  communicator         = "ssh"
  ssh_host             = var.host
  ssh_port             = var.port
  ssh_username         = var.user
  ssh_private_key_file = var.ssh_private_key_file
  ssh_timeout          = "2m"
}

build {
  sources = ["source.null.testbed"]

  # Remediate and verify while the build VM is up. A non-zero exit that is
  # not in valid_exit_codes fails the build here, before any capture.
  provisioner "shell-local" {
    environment_vars = concat(local.shelfready_env, [
      "SR_HOST=${build.Host}",
      "SR_PORT=${build.Port}",
      "SR_USER=${build.User}",
      "SR_KEY_FILE=${var.ssh_private_key_file}",
      "SR_KNOWN_HOSTS=${var.known_hosts}",
    ])
    # exec: the shell that Packer starts with the variables on its command
    # line is replaced at once, so `ps` does not show them while shelfready runs
    execute_command  = ["/bin/sh", "-c", "{{.Vars}} exec {{.Script}}"]
    valid_exit_codes = var.valid_exit_codes
    inline = [<<-EOS
      mkdir -p "$SR_OUT"
      sudo=
      [ "$SR_USER" = root ] || sudo=--sudo
      "$SHELFREADY" run -p "$SR_PROFILE" $SR_ARGS $sudo \
        --var "packer_run=$PACKER_RUN_UUID" \
        --no-agent -i "$SR_KEY_FILE" --known-hosts "$SR_KNOWN_HOSTS" \
        --save-facts "$SR_OUT/$PACKER_BUILD_NAME-facts.json" \
        --report text \
        --report "json=$SR_OUT/$PACKER_BUILD_NAME-run.json" \
        --report "html=$SR_OUT/$PACKER_BUILD_NAME-run.html" \
        --report "junit=$SR_OUT/$PACKER_BUILD_NAME-run.xml" \
        "$SR_USER@$SR_HOST:$SR_PORT"
      EOS
    ]
  }

  # The artifact record: builds[] of every run, last_run_uuid of this one.
  post-processor "manifest" {
    output = var.manifest
    custom_data = {
      shelfready_report = "${var.output_dir}/${source.name}-report.json"
    }
  }

  # The gate: judge the saved facts again, name the artifact of this run in
  # the reports, and fail the build unless compliant (exit 1).
  post-processor "shell-local" {
    environment_vars = concat(local.shelfready_env, ["SR_MANIFEST=${var.manifest}"])
    inline = [<<-EOS
      "$SHELFREADY" verify -p "$SR_PROFILE" $SR_ARGS \
        --var "packer_run=$PACKER_RUN_UUID" \
        --facts "$SR_OUT/$PACKER_BUILD_NAME-facts.json" \
        --packer-manifest "$SR_MANIFEST" --packer-build "$PACKER_BUILD_NAME" \
        --report text \
        --report "json=$SR_OUT/$PACKER_BUILD_NAME-report.json" \
        --report "html=$SR_OUT/$PACKER_BUILD_NAME-report.html" \
        --report "junit=$SR_OUT/$PACKER_BUILD_NAME-report.xml"
      EOS
    ]
  }
}
