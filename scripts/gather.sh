#!/bin/sh
# gather.sh - collect the raw facts shelfready judges, in one round trip.
#
# Sent on the standard input of one exec channel and run as
#     sh -s -- NONCE [--no-refresh]
# by the connecting user (root, or through sudo). It prints a transcript of
# framed sections (docs/gather-format.md) and changes nothing on the target,
# except the package metadata refresh that --no-refresh turns off, and what
# the commands of a profile's `command` checks do (the controller prepends
# them as a function sr_checks, see sr_check below).
#
# Rules for this file:
# - POSIX sh only (dash, busybox sh, bash, mksh, yash, posh); POSIX awk (mawk,
#   gawk, busybox awk); no `local`, no arrays, no here-documents (bash writes
#   them to /tmp).
# - The body is one function, called with stdin from /dev/null: the shell has
#   read the whole script before anything runs, and no command can eat the
#   rest of it (or wait on it) by reading stdin.
# - Few forks: /proc is walked with globbing and builtins, small files are read
#   by the shell, the others by one awk per section, tools are found by a PATH
#   walk (no `command -v` subshells), and commands that may wait on a lock run
#   under timeout.
# - Never prints a password hash (shadow states are computed here), key
#   material (authorized_keys: counts and key types only; private keys are
#   never read) or a web application's credentials (first-login: owner and
#   mode of the credentials file only).

NL='
'
TAB='	'

# --------------------------------------------------------------------------
# framing
# --------------------------------------------------------------------------

begin() { printf '@@SRG %s begin %s\n' "$NONCE" "$1"; }
end() { printf '@@SRG %s end %s %s\n' "$NONCE" "$1" "$2"; }
fhdr() { printf '@@SRG %s file %s\n' "$NONCE" "$1"; }

# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

# findx NAME: set W to the first executable NAME in the absolute directories
# of $PATH (never the current directory); false if none.
findx() {
    W=
    IFS=:
    for _d in $PATH; do
        case $_d in /*) ;; *) continue ;; esac
        [ -f "$_d/$1" ] && [ -x "$_d/$1" ] && { W=$_d/$1; break; }
    done
    IFS=$OIFS
    [ -n "$W" ]
}

# addf FILE...: append each existing regular file to the newline-separated
# list in F (built before a `files` call; names may contain spaces).
addf() {
    for _f in "$@"; do
        [ -f "$_f" ] && F=$F$_f$NL
    done
}

# files [redact]: print each file of list F under a file header, in one awk.
# With "redact", passwords in repository definitions are replaced.
files() {
    _red=0
    [ "${1-}" = redact ] && _red=1
    [ -n "$F" ] || return 0
    set -f
    IFS=$NL
    # shellcheck disable=SC2086  # split on newlines only, no globbing
    set -- $F
    IFS=$OIFS
    set +f
    F=
    awk -v h="@@SRG $NONCE file " -v redact="$_red" '
    function scrub(l,   pre, s, at) {
        # "password = x" lines of .repo files
        if (l ~ /^[ \t]*password[ \t]*=/) {
            sub(/=.*/, "= (redacted)", l)
            return l
        }
        # scheme://user:password@host
        if (match(l, /:\/\/[^\/@: \t]+:[^\/@ \t]+@/)) {
            pre = substr(l, 1, RSTART - 1)
            s = substr(l, RSTART + 3, RLENGTH - 3)
            at = index(s, ":")
            l = pre "://" substr(s, 1, at) "(redacted)@" substr(l, RSTART + RLENGTH)
        }
        return l
    }
    BEGIN {
        for (i = 1; i < ARGC; i++) {
            f = ARGV[i]
            print h f
            while ((getline l < f) > 0)
                print (redact ? scrub(l) : l)
            close(f)
        }
        exit
    }' "$@"
}

# verbatim SECTION FILE...: the first existing file, as the whole section.
# For small files: read by the shell itself, without a fork.
verbatim() {
    _s=$1
    shift
    begin "$_s"
    _st=1
    for _f in "$@"; do
        if [ -f "$_f" ]; then
            _st=0
            while IFS= read -r _l || [ -n "$_l" ]; do
                printf '%s\n' "$_l"
            done <"$_f"
            break
        fi
    done
    end "$_s" "$_st"
}

# names DIR: the names of the entries of DIR, under a file header.
names() {
    [ -d "$1" ] || return 0
    fhdr "$1"
    for _f in "$1"/*; do
        [ -e "$_f" ] || [ -L "$_f" ] && printf '%s\n' "${_f##*/}"
    done
}

# run CMD...: run with a time limit when coreutils' timeout is there. Only for
# package managers that wait on a lock (yum, dnf, zypper, rpm) and for slow
# Python tools.
run() {
    if [ -n "$TMO" ]; then
        "$TMO" 300 "$@"
    else
        "$@"
    fi
}

# --------------------------------------------------------------------------
# sections
# --------------------------------------------------------------------------

sec_meta() {
    # One `id` (uid=0(root) gid=...) and one `uname` (s n r v m, fixed order).
    _id=$(id)
    _uid=${_id#uid=}
    _uid=${_uid%%[!0-9]*}
    _user=
    case ${_id%% *} in *\(*\)) _user=${_id#*\(} _user=${_user%%\)*} ;; esac
    _un=$(uname -snrvm)
    UN_S=${_un%% *} _r=${_un#* }
    UN_N=${_r%% *} _r=${_r#* }
    UN_R=${_r%% *} _r=${_r#* }
    UN_M=${_r##* }
    UN_V=${_r% *}
    _shell=
    findx readlink && _shell=$(readlink "/proc/$$/exe")
    begin meta
    printf 'time=%s\n' "$(date -u +%s)"
    printf 'uid=%s\nuser=%s\nshell=%s\nhostname=%s\npath=%s\n' \
        "$_uid" "$_user" "$_shell" "$UN_N" "$ORIG_PATH"
    end meta 0
}

sec_release() {
    verbatim os-release /etc/os-release /usr/lib/os-release
    verbatim lsb-release /etc/lsb-release
    verbatim redhat-release /etc/redhat-release /etc/system-release /etc/centos-release
    verbatim debian-version /etc/debian_version
    verbatim suse-release /etc/SuSE-release
    verbatim alpine-release /etc/alpine-release
    verbatim issue /etc/issue
}

sec_uname() {
    begin uname
    printf '%s\n%s\n%s\n%s\n' "$UN_S" "$UN_R" "$UN_M" "$UN_V"
    end uname 0
}

sec_boot() {
    begin boot
    _b='' _u=''
    [ -r /proc/sys/kernel/random/boot_id ] && read -r _b </proc/sys/kernel/random/boot_id
    [ -r /proc/uptime ] && read -r _u _ </proc/uptime
    printf 'boot_id=%s\nuptime=%s\n' "$_b" "$_u"
    end boot 0
}

sec_kernels() {
    begin kernels
    for _f in /boot/vmlinuz-* /boot/vmlinux-* /lib/modules/*; do
        [ -e "$_f" ] && printf '%s\n' "$_f"
    done
    end kernels 0
}

sec_pkg_tools() {
    begin pkg-tools
    for _n in apt-get dpkg dnf yum rpm zypper apk needs-restarting systemctl \
        sshd cloud-init sudo; do
        findx "$_n" && printf '%s\t%s\n' "$_n" "$W"
    done
    end pkg-tools 0
    # The package family (how packages are listed) and the update tool.
    PKG='' UPD=''
    if findx dpkg-query; then
        PKG=dpkg
        findx apt-get && UPD=apt
    elif findx rpm; then
        PKG=rpm
        if findx zypper; then UPD=zypper
        elif findx dnf; then UPD=dnf
        elif findx yum; then UPD=yum
        fi
    elif findx apk; then
        PKG=apk UPD=apk
    fi
    TMO=
    findx timeout && TMO=$W
}

sec_refresh() {
    [ "$REFRESH" = 1 ] || return 0
    begin refresh
    case $UPD in
    apt) apt-get update 2>&1; _st=$? ;;
    # metadata younger than metadata_expire is not fetched again unless told
    dnf) run dnf makecache --refresh 2>&1; _st=$? ;;
    yum)
        run yum clean expire-cache >/dev/null 2>&1
        run yum makecache fast 2>&1
        _st=$?
        if [ "$_st" != 0 ]; then
            run yum makecache 2>&1
            _st=$?
        fi
        ;;
    zypper) run zypper --non-interactive refresh 2>&1; _st=$? ;;
    apk) apk update 2>&1; _st=$? ;;
    *) _st=127 ;;
    esac
    end refresh "$_st"
}

sec_lists_age() {
    begin lists-age
    set --
    # apt keeps a Release file's time when it did not change on the mirror;
    # the partial/ directory changes at every update, so it dates the last one
    for _f in /var/lib/apt/lists/*Release /var/lib/apt/lists/partial \
        /var/lib/apt/periodic/update-success-stamp \
        /var/cache/dnf/*.solv /var/cache/yum/*/*/*/repomd.xml /var/cache/yum/*/repomd.xml \
        /var/cache/zypp/raw/*/repodata/repomd.xml /var/cache/apk/APKINDEX.*; do
        [ -e "$_f" ] && set -- "$@" "$_f"
    done
    if [ $# -gt 0 ]; then
        if findx stat; then
            stat -c "%n$TAB%Y" "$@"
        elif findx date; then
            for _f in "$@"; do
                printf '%s\t%s\n' "$_f" "$(date -r "$_f" +%s)"
            done
        fi
    fi
    end lists-age 0
}

sec_packages() {
    INST=
    begin packages
    case $PKG in
    dpkg)
        _out=$(dpkg-query -W -f '${Package}\t${Version}\t${Architecture}\t${db:Status-Abbrev}\n')
        _st=$?
        [ -n "$_out" ] && printf '%s\n' "$_out"
        # The installed ones (status "?i?"), for `updates`.
        INST=
        set -f
        IFS=$NL
        for _l in $_out; do
            case ${_l##*"$TAB"} in ?i*) INST=$INST${_l%%"$TAB"*}$NL ;; esac
        done
        IFS=$OIFS
        set +f
        _out=
        ;;
    rpm)
        # %{EPOCHNUM} prints 0 for no epoch; old rpm (EL5) lacks it and fails
        # at once with no output: then %{EPOCH}, which prints "(none)".
        _out=$(run rpm -qa --qf '%{NAME}\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\t%{ARCH}\tii\n')
        _st=$?
        if [ "$_st" != 0 ] && [ -z "$_out" ]; then
            _out=$(run rpm -qa --qf '%{NAME}\t%{EPOCH}:%{VERSION}-%{RELEASE}\t%{ARCH}\tii\n')
            _st=$?
        fi
        [ -n "$_out" ] && printf '%s\n' "$_out"
        _out=
        ;;
    apk) apk info -v; _st=$? ;;
    *) _st=127 ;;
    esac
    end packages "$_st"
}

sec_updates() {
    begin updates
    case $UPD in
    apt)
        # Installed and candidate versions with the origin of every version.
        # Not `apt-get -s dist-upgrade`: its resolver takes seconds.
        _st=1
        if [ -n "$INST" ]; then
            set -f
            IFS=$NL
            # shellcheck disable=SC2086  # one package name per line
            set -- $INST
            IFS=$OIFS
            set +f
            apt-cache policy "$@"
            _st=$?
        fi
        ;;
    dnf) run dnf -q --cacheonly check-update; _st=$? ;;
    yum) run yum -q -C check-update; _st=$? ;;
    zypper) run zypper -q --non-interactive --no-refresh list-updates; _st=$? ;;
    apk) apk -s upgrade; _st=$? ;;
    *) _st=127 ;;
    esac
    end updates "$_st"

    # apt marks security updates by origin in `updates`: no section.
    case $UPD in dnf | yum | zypper) ;; *) return 0 ;; esac
    begin security-updates
    case $UPD in
    dnf)
        run dnf -q --cacheonly updateinfo list --security --available
        _st=$?
        if [ "$_st" != 0 ]; then
            run dnf -q --cacheonly updateinfo list security
            _st=$?
        fi
        ;;
    yum)
        # updateinfo needs yum-plugin-security before EL7.
        run yum -q -C updateinfo list security
        _st=$?
        if [ "$_st" != 0 ]; then
            run yum -q -C --security check-update
            _st=$?
        fi
        ;;
    zypper)
        run zypper -q --non-interactive --no-refresh list-patches --category security
        _st=$?
        ;;
    esac
    end security-updates "$_st"
}

sec_reboot() {
    begin reboot
    if [ -e /var/run/reboot-required ]; then
        echo reboot_required_file=yes
    else
        echo reboot_required_file=no
    fi
    if [ -f /var/run/reboot-required.pkgs ]; then
        while IFS= read -r _l || [ -n "$_l" ]; do
            [ -n "$_l" ] && printf 'pkg=%s\n' "$_l"
        done </var/run/reboot-required.pkgs
    fi
    if findx needs-restarting; then
        run "$W" -r >/dev/null
        printf 'needs_restarting=%s\n' "$?"
    fi
    end reboot 0
}

sec_processes() {
    begin processes
    # One ls lists every exe link with its target ("... /proc/42/exe -> /usr/sbin/sshd",
    # no arrow for kernel threads); awk reads Name and Uid from each status file.
    # shellcheck disable=SC2012  # ls -l is the one-fork readlink of many links
    ls -ln /proc/[0-9]*/exe | awk '
    match($0, /\/proc\/[0-9]+\/exe/) {
        pid = substr($0, RSTART + 6, RLENGTH - 10)
        rest = substr($0, RSTART + RLENGTH)
        exe = (substr(rest, 1, 4) == " -> ") ? substr(rest, 5) : ""
        f = "/proc/" pid "/status"
        name = ""; uid = ""
        while ((getline l < f) > 0) {
            if (l ~ /^Name:/) { sub(/^Name:[ \t]*/, "", l); name = l }
            else if (l ~ /^Uid:/) { split(l, a, /[ \t]+/); uid = a[2]; break }
        }
        close(f)
        if (uid == "") next             # gone meanwhile
        gsub(/\t/, " ", name)
        print pid "\t" uid "\t" name "\t" exe
    }'
    end processes 0
}

sec_services() {
    begin services
    if findx systemctl; then
        # Without systemd as PID 1 this fails at once; it never waits.
        systemctl list-unit-files --type=service --no-legend --no-pager
        _st=$?
    else
        _st=127
    fi
    # SysV links; /etc/rcN.d is a symlink into /etc/rc.d on Red Hat: list once.
    for _d in /etc/rc2.d /etc/rc3.d /etc/rc4.d /etc/rc5.d \
        /etc/rc.d/rc2.d /etc/rc.d/rc3.d /etc/rc.d/rc4.d /etc/rc.d/rc5.d; do
        [ -L "$_d" ] || names "$_d"
    done
    names /etc/init.d
    end services "$_st"
}

sec_listening() {
    begin listening
    _st=127
    findx ss && _ss=$W || _ss=
    if [ -n "$_ss" ]; then
        "$_ss" -H -ltnup
        _st=$?
    fi
    # Without `ss -H` (older iproute2): netstat, whose format is the same
    # everywhere, else the old ss with its header line dropped here.
    if [ "$_st" != 0 ] && findx netstat; then
        netstat -ltnup
        _st=$?
    fi
    if [ "$_st" != 0 ] && [ -n "$_ss" ]; then
        _out=$("$_ss" -ltnup)
        _st=$?
        case $_out in *"$NL"*) printf '%s\n' "${_out#*"$NL"}" ;; esac
        _out=
    fi
    if [ "$_st" != 0 ]; then
        F=
        addf /proc/net/tcp /proc/net/tcp6 /proc/net/udp /proc/net/udp6
        files
        _st=0
    fi
    end listening "$_st"
}

# Homes from /etc/passwd (and /root), deduplicated, newline-separated in HOMES.
read_homes() {
    HOMES=$NL/root$NL
    [ -r /etc/passwd ] || return 0
    while IFS=: read -r _ _ _ _ _ _h _; do
        _h=${_h%/}
        [ -n "$_h" ] || continue
        case $HOMES in *"$NL$_h$NL"*) continue ;; esac
        [ -d "$_h" ] && HOMES=$HOMES$_h$NL
    done </etc/passwd
}

sec_accounts() {
    begin accounts
    set --
    [ -f /etc/passwd ] && set -- /etc/passwd
    _st=1
    if [ -r /etc/shadow ]; then
        _st=0
        set -- "$@" /etc/shadow
    fi
    # One awk for both files. /etc/passwd is verbatim, except a password field
    # holding a hash (a system without shadow): that is replaced. /etc/shadow
    # becomes "name state lastchg max expire": the hash never leaves this awk.
    [ $# -gt 0 ] && awk -F: -v h="@@SRG $NONCE file " '
    FNR == 1 { print h FILENAME }
    FILENAME == "/etc/passwd" {
        p = $2
        if (p != "" && p != "x" && p !~ /^[!*]*$/) {
            match(p, /^[!*]*/)
            sub(/:[^:]*/, ":" substr(p, 1, RLENGTH) "(hash)")
        }
        print
        next
    }
    $1 != "" {
        s = "set"
        if ($2 == "") s = "empty"
        else if ($2 ~ /^[!*]/) s = "locked"
        print $1 "\t" s "\t" $3 "\t" $5 "\t" $8
    }' "$@"
    end accounts "$_st"
}

sec_cron() {
    begin cron
    F=
    addf /etc/crontab /etc/cron.d/* /var/spool/cron/crontabs/* /var/spool/cron/* \
        /etc/anacrontab
    files
    for _d in /etc/cron.hourly /etc/cron.daily /etc/cron.weekly /etc/cron.monthly; do
        names "$_d"
    done
    end cron 0
}

sec_ld_so_preload() {
    verbatim ld-so-preload /etc/ld.so.preload
}

sec_sshd() {
    begin sshd
    _st=127
    if findx sshd; then
        # Fails without host keys (e.g. after pre-capture cleanup) or as non-root.
        "$W" -T
        _st=$?
    fi
    if [ "$_st" != 0 ]; then
        [ -f /etc/ssh/sshd_config ] && awk '{ print }' /etc/ssh/sshd_config
        F=
        addf /etc/ssh/sshd_config.d/*.conf
        files
    fi
    end sshd "$_st"
}

sec_authorized_keys() {
    begin authorized-keys
    set --
    set -f
    IFS=$NL
    for _h in $HOMES; do
        for _f in "$_h/.ssh/authorized_keys" "$_h/.ssh/authorized_keys2"; do
            [ -f "$_f" ] && set -- "$@" "$_f"
        done
    done
    IFS=$OIFS
    set +f
    # path owner-uid mode count types: `ls -lnL` gives owner and mode, awk
    # counts key lines and collects their types; key material is not printed.
    # shellcheck disable=SC2012  # owner, mode and size of known paths
    [ $# -gt 0 ] && ls -lnL "$@" | awk '
    function octal(m,   v, i, c) {
        v = 0
        for (i = 2; i <= 10; i++) {
            c = substr(m, i, 1)
            v = v * 2 + (c != "-" && c != "S" && c != "T")
        }
        if (substr(m, 4, 1) ~ /[sS]/) v += 2048
        if (substr(m, 7, 1) ~ /[sS]/) v += 1024
        if (substr(m, 10, 1) ~ /[tT]/) v += 512
        return sprintf("%o", v)
    }
    BEGIN { n = ARGC; for (i = 2; i < n; i++) { p[i] = ARGV[i]; ARGV[i] = "" } }
    {
        for (i = 2; i < n; i++) {
            k = length(p[i])
            if (length($0) > k && substr($0, length($0) - k) == " " p[i]) {
                mode[i] = octal($1); uid[i] = $3
            }
        }
    }
    END {
        for (i = 2; i < n; i++) {
            f = p[i]; c = 0; t = ""; split("", seen)
            while ((getline l < f) > 0) {
                if (l ~ /^[ \t]*(#|$)/) continue
                c++
                m = split(l, w, /[ \t]+/)
                ty = "unknown"
                for (j = 1; j <= m; j++)
                    if (w[j] ~ /^(ssh-|ecdsa-|sk-)/) { ty = w[j]; break }
                if (ty in seen) continue
                seen[ty] = 1
                # insert in sorted order
                s = split(t, ts, ","); t = ""; put = 0
                for (j = 1; j <= s; j++) {
                    if (!put && ty < ts[j]) { t = t (t == "" ? "" : ",") ty; put = 1 }
                    t = t (t == "" ? "" : ",") ts[j]
                }
                if (!put) t = t (t == "" ? "" : ",") ty
            }
            close(f)
            print f "\t" uid[i] "\t" mode[i] "\t" c "\t" t
        }
    }' - "$@"
    end authorized-keys 0
}

sec_histories() {
    begin histories
    set --
    set -f
    IFS=$NL
    for _h in $HOMES; do
        for _n in .bash_history .zsh_history .sh_history .ash_history .history \
            .mysql_history .psql_history .python_history .lesshst .viminfo \
            .node_repl_history; do
            [ -f "$_h/$_n" ] && set -- "$@" "$_h/$_n"
        done
    done
    IFS=$OIFS
    set +f
    # path size, from one `ls -lnL`
    # shellcheck disable=SC2012  # owner, mode and size of known paths
    [ $# -gt 0 ] && ls -lnL "$@" | awk '
    BEGIN { n = ARGC; for (i = 2; i < n; i++) { p[i] = ARGV[i]; ARGV[i] = "" } }
    {
        for (i = 2; i < n; i++) {
            k = length(p[i])
            if (length($0) > k && substr($0, length($0) - k) == " " p[i]) size[i] = $5
        }
    }
    END { for (i = 2; i < n; i++) if (i in size) print p[i] "\t" size[i] }' - "$@"
    end histories 0
}

sec_host_keys() {
    begin host-keys
    for _f in /etc/ssh/ssh_host_*; do
        [ -e "$_f" ] && printf '%s\n' "$_f"
    done
    end host-keys 0
}

sec_machine_id() {
    begin machine-id
    for _k in etc:/etc/machine-id dbus:/var/lib/dbus/machine-id; do
        _f=${_k#*:}
        _v=ABSENT
        if [ -e "$_f" ]; then
            _v=
            read -r _v <"$_f"
            [ -n "$_v" ] || _v=EMPTY
        fi
        printf '%s=%s\n' "${_k%%:*}" "$_v"
    done
    end machine-id 0
}

sec_cloud_init() {
    begin cloud-init
    _st=127
    if findx cloud-init; then
        # No --wait: reports the state now, even while cloud-init runs.
        run "$W" status --long
        _st=$?
    fi
    if [ -e /var/lib/cloud/instance/boot-finished ]; then
        echo boot_finished=yes
    else
        echo boot_finished=no
    fi
    _n=0
    for _f in /var/lib/cloud/instances/*; do
        [ -e "$_f" ] && _n=$((_n + 1))
    done
    printf 'instances=%s\n' "$_n"
    end cloud-init "$_st"
}

sec_sources() {
    begin sources
    F=
    addf /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
        /etc/apt/sources.list.d/*.sources /etc/yum.repos.d/*.repo \
        /etc/zypp/repos.d/*.repo /etc/apk/repositories
    files redact
    end sources 0
}

# version NAME PATH: print "NAME PATH first-line-of-version-output".
tp_version() {
    case $1 in
    nginx) _v=$("$2" -v 2>&1) ;;
    java) _v=$("$2" -version 2>&1) ;;
    php | php-fpm | httpd | apache2 | proftpd) _v=$("$2" -v) ;;
    *) _v=$("$2" --version) ;;
    esac
    printf '%s\t%s\t%s\n' "$1" "$2" "${_v%%"$NL"*}"
}

sec_third_party() {
    begin third-party
    # $PATH (without the /bin and /sbin that merged-/usr links to /usr), then
    # where software installed by hand lives.
    _dirs=$NL
    set -f
    IFS=:
    for _d in $PATH; do
        case $_d in
        /bin | /sbin) [ -L "$_d" ] && continue ;;
        /*) ;;
        *) continue ;;
        esac
        case $_dirs in *"$NL$_d$NL"*) ;; *) _dirs=$_dirs$_d$NL ;; esac
    done
    IFS=$OIFS
    set +f
    for _d in /usr/local/*/bin /usr/local/bin /opt/*/bin /opt/*/*/bin; do
        [ -d "$_d" ] || continue
        case $_dirs in *"$NL$_d$NL"*) ;; *) _dirs=$_dirs$_d$NL ;; esac
    done
    set -f
    IFS=$NL
    for _d in $_dirs; do
        IFS=$OIFS
        for _n in php php-fpm mysqld mariadbd nginx httpd apache2 node java \
            redis-server postgres proftpd; do
            [ -f "$_d/$_n" ] && [ -x "$_d/$_n" ] && tp_version "$_n" "$_d/$_n"
        done
    done
    IFS=$OIFS
    set +f
    # Tomcat: the version line of RELEASE-NOTES, else of bin/version.sh (a JVM).
    for _f in /opt/*/bin/catalina.sh /opt/*/*/bin/catalina.sh \
        /usr/local/*/bin/catalina.sh /usr/share/tomcat*/bin/catalina.sh; do
        [ -f "$_f" ] || continue
        _h=${_f%/bin/catalina.sh}
        _v=
        if [ -f "$_h/RELEASE-NOTES" ]; then
            while IFS= read -r _l; do
                case $_l in *"Apache Tomcat Version "*) _v=${_l#"${_l%%Apache*}"}; break ;; esac
            done <"$_h/RELEASE-NOTES"
        fi
        if [ -z "$_v" ] && [ -f "$_h/bin/version.sh" ]; then
            _o=$(run sh "$_h/bin/version.sh")
            case $_o in *"Server version:"*)
                _v="Server version:${_o#*Server version:}"
                _v=${_v%%"$NL"*} ;;
            esac
        fi
        printf 'tomcat\t%s\t%s\n' "$_f" "$_v"
    done
    # Jetty: the first line of VERSION.txt beside start.jar.
    for _f in /opt/*/start.jar /opt/*/*/start.jar /usr/local/*/start.jar \
        /usr/share/jetty*/start.jar; do
        [ -f "$_f" ] || continue
        _v=
        [ -f "${_f%/*}/VERSION.txt" ] && read -r _v <"${_f%/*}/VERSION.txt"
        printf 'jetty\t%s\t%s\n' "$_f" "$_v"
    done
    end third-party 0
}

# fl_listable DIR: true when the entries of DIR can be listed. An absent DIR
# is false; one that exists but cannot be read, or lies under a directory that
# cannot be searched (/root for a user other than root), is false too and is
# printed as "unreadable<TAB>D" with D the directory that stops the listing.
fl_listable() {
    _a=$1
    while [ -n "$_a" ] && ! [ -d "$_a" ]; do
        _a=${_a%/*}
    done
    [ -n "$_a" ] || _a=/
    if [ "$_a" = "$1" ]; then
        [ -r "$1" ] && [ -x "$1" ] && return 0
    elif [ -x "$_a" ]; then
        return 1
    fi
    printf 'unreadable\t%s\n' "$_a"
    FL_ST=1
    return 1
}

# fl_add PATH...: append each existing entry (a dangling link too) to the
# newline-separated list in FL.
fl_add() {
    for _f in "$@"; do
        [ -e "$_f" ] || [ -L "$_f" ] && FL=$FL$_f$NL
    done
}

sec_first_login() {
    begin first-login
    # The files of the web applications' first-login reset (docs/first-login.md):
    # owner, mode and type of each (credentials: never their contents), then
    # the ConditionPathExists= and ExecStart= lines of the units (the program
    # only: arguments are not printed).
    FL='' FL_ST=0
    fl_listable /usr/local/libexec/shelfready &&
        fl_add /usr/local/libexec/shelfready/first-login-*
    fl_listable /var/lib/cloud/scripts/per-instance &&
        fl_add /var/lib/cloud/scripts/per-instance/shelfready-first-login-*
    fl_listable /etc/systemd/system &&
        fl_add /etc/systemd/system/shelfready-first-login-*.service
    fl_listable /etc/systemd/system/multi-user.target.wants &&
        fl_add /etc/systemd/system/multi-user.target.wants/shelfready-first-login-*.service
    fl_listable /var/lib/shelfready/first-login &&
        fl_add /var/lib/shelfready/first-login/*.done
    fl_listable /root/.shelfready/first-login &&
        fl_add /root/.shelfready/first-login/*.credentials
    set -f
    IFS=$NL
    # shellcheck disable=SC2086  # split on newlines only, no globbing
    set -- $FL
    IFS=$OIFS
    set +f
    # path type owner-uid mode link-target, from one `ls -lnd`
    # shellcheck disable=SC2012  # owner, mode and type of known paths
    [ $# -gt 0 ] && ls -lnd "$@" | awk '
    function octal(m,   v, i, c) {
        v = 0
        for (i = 2; i <= 10; i++) {
            c = substr(m, i, 1)
            v = v * 2 + (c != "-" && c != "S" && c != "T")
        }
        if (substr(m, 4, 1) ~ /[sS]/) v += 2048
        if (substr(m, 7, 1) ~ /[sS]/) v += 1024
        if (substr(m, 10, 1) ~ /[tT]/) v += 512
        return sprintf("%o", v)
    }
    BEGIN { n = ARGC; for (i = 2; i < n; i++) { p[i] = ARGV[i]; ARGV[i] = "" } }
    {
        c = substr($0, 1, 1)
        t = c == "-" ? "file" : c == "l" ? "link" : c == "d" ? "dir" : "other"
        for (i = 2; i < n; i++) {
            if (i in seen) continue
            k = length(p[i])
            if (t == "link") {
                j = index($0, " " p[i] " -> ")
                if (j == 0) continue
                tg[i] = substr($0, j + k + 5)
            } else if (!(length($0) > k && substr($0, length($0) - k) == " " p[i])) {
                continue
            }
            seen[i] = 1; ty[i] = t; mode[i] = octal($1); uid[i] = $3
        }
    }
    END {
        for (i = 2; i < n; i++)
            if (i in seen) print p[i] "\t" ty[i] "\t" uid[i] "\t" mode[i] "\t" tg[i]
    }' - "$@"
    # the units: their guard and the program they run
    set --
    for _f in /etc/systemd/system/shelfready-first-login-*.service; do
        [ -f "$_f" ] && [ -r "$_f" ] && set -- "$@" "$_f"
    done
    [ $# -gt 0 ] && awk -v h="@@SRG $NONCE file " '
    BEGIN {
        for (i = 1; i < ARGC; i++) {
            f = ARGV[i]
            print h f
            while ((getline l < f) > 0) {
                sub(/^[ \t]+/, "", l)
                if (l ~ /^ConditionPathExists[ \t]*=/) {
                    sub(/^[^=]*=[ \t]*/, "", l)
                    sub(/[ \t]+$/, "", l)
                    print "ConditionPathExists=" l
                } else if (l ~ /^ExecStart[ \t]*=/) {
                    sub(/^[^=]*=[ \t]*/, "", l)
                    sub(/[ \t].*/, "", l)
                    print "ExecStart=" l
                }
            }
            close(f)
        }
        exit
    }' "$@"
    end first-login "$FL_ST"
}

# --------------------------------------------------------------------------
# command checks
# --------------------------------------------------------------------------

# The controller puts before this script a function
#     sr_checks() { sr_check KEY 'COMMAND' ['ID']; ... }
# with one call per `command` check of the profile (docs/gather-format.md);
# main calls it last, when it is defined.

# sr_check KEY COMMAND [ID]: run COMMAND with sh -c (stdin from /dev/null,
# stderr discarded, at most 120 s when the target has timeout) and print its
# stdout as the section check-KEY, whose status is the command's exit status.
# ID is the check's id when it is not KEY. Output past 256 KiB is read but
# dropped, and a truncated marker line says so; awk ends the last line.
sr_check() {
    begin "check-$1"
    [ -n "${3-}" ] && printf '@@SRG %s id %s\n' "$NONCE" "$3"
    # The status leaves the pipeline on fd 4, the output goes on through fd 3.
    { _st=$( { { sr_run "$2" 3>&- 4>&-; echo "$?" >&4; } | awk -v cap=262144 \
        -v t="@@SRG $NONCE truncated" '
        {
            if (n < cap) {
                l = $0
                if (length(l) > cap - n) { l = substr(l, 1, cap - n); cut = 1 }
                print l
                n += length(l) + 1
            } else cut = 1
        }
        END { if (cut) print t }' >&3; } 4>&1); } 3>&1
    end "check-$1" "${_st:-1}"
}

sr_run() {
    if [ -n "$TMO" ]; then
        "$TMO" 120 sh -c "$1" </dev/null 2>/dev/null
    else
        sh -c "$1" </dev/null 2>/dev/null
    fi
}

# --------------------------------------------------------------------------

main() {
    printf '@@SRG %s gather 1\n' "$NONCE"
    sec_pkg_tools
    sec_refresh
    # The slow queries (apt-cache: ~50 ms; yum, dnf, needs-restarting and
    # cloud-init start Python: seconds) start first and run alongside the
    # other sections. Their output is held until they are done, so that a
    # full pipe cannot stop them, and copied out after the others: these
    # sections come last.
    {
        _slow=$(
            sec_packages
            sec_updates
            sec_reboot
            sec_cloud_init
        )
        printf '%s\n' "$_slow"
    } | {
        exec 3<&0 </dev/null
        sec_meta
        sec_release
        sec_uname
        sec_boot
        sec_kernels
        sec_lists_age
        sec_processes
        sec_services
        sec_listening
        read_homes
        sec_accounts
        sec_cron
        sec_ld_so_preload
        sec_sshd
        sec_authorized_keys
        sec_histories
        sec_host_keys
        sec_machine_id
        sec_sources
        sec_third_party
        sec_first_login
        cat <&3
    }
    command -v sr_checks >/dev/null 2>&1 && sr_checks
    printf '@@SRG %s done\n' "$NONCE"
}

NONCE=${1-}
case $NONCE in
'' | *[!A-Za-z0-9]*)
    echo "gather: usage: sh -s -- NONCE [--no-refresh] (NONCE: 8-64 of [A-Za-z0-9])" >&2
    exit 2
    ;;
esac
if [ ${#NONCE} -lt 8 ] || [ ${#NONCE} -gt 64 ]; then
    echo "gather: the nonce must have 8 to 64 characters" >&2
    exit 2
fi
shift
REFRESH=1
for _a in "$@"; do
    case $_a in
    --no-refresh) REFRESH=0 ;;
    *) ;; # later options
    esac
done

# Plain C output from every tool; nothing from the caller's ls or awk settings.
LC_ALL=C
export LC_ALL
unset QUOTING_STYLE TIME_STYLE LS_BLOCK_SIZE BLOCK_SIZE BLOCKSIZE POSIXLY_CORRECT \
    CDPATH ENV 2>/dev/null
# Non-root exec channels often lack the sbin directories.
ORIG_PATH=$PATH
for _d in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do
    case :$PATH: in *":$_d:"*) ;; *) PATH=${PATH:+$PATH:}$_d ;; esac
done
export PATH
IFS=" $TAB$NL"
OIFS=$IFS

main </dev/null 2>/dev/null
