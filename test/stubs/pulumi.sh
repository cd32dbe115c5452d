#!/bin/bash
# The stub `pulumi` the quick-start tests drive through the Automation API
# (test/quickStartHarness.ts installs it as `pulumi`). It logs each call to $STUB_PULUMI_LOG as a
# JSON line (the arguments, the folder, the variables named in $STUB_PULUMI_RECORDED that are
# set) and answers like the CLI, keeping stacks where the real one would: the file backend's
# folder, or $STUB_CLOUD_DIR for a login to a cloud backend (credentials.json `current` in
# Pulumi's home); its version is $STUB_PULUMI_VERSION. bash, not Node.js: the tests run it about
# 130 times, and bash starts ~15x faster; for the same reason it starts no other process but one mkdir where a folder is missing.
# Only the test's stub folder is on PATH: mkdir is the system's.
PATH=/usr/bin:/bin

# $1 as a JSON string (quotes included), into $json.
json_string() {
    local text=$1 code char escaped
    text=${text//\\/\\\\}
    text=${text//\"/\\\"}
    text=${text//$'\n'/\\n}
    text=${text//$'\r'/\\r}
    text=${text//$'\t'/\\t}
    if [[ $text == *[[:cntrl:]]* ]]; then
        for code in 001 002 003 004 005 006 007 010 013 014 016 017 020 021 022 023 024 025 026 027 030 031 032 033 034 035 036 037; do
            printf -v char '%b' "\\0$code"
            printf -v escaped '\\u%04x' "$((8#$code))"
            text=${text//"$char"/$escaped}
        done
    fi
    json="\"$text\""
}

args=("$@")
# The folder with symlinks resolved, as Node.js's process.cwd() gives it.
cd -P . || exit 255
cwd=$PWD
json_string "$*"
entry="{\"command\":$json"
json_string "$cwd"
entry+=",\"cwd\":$json,\"env\":{"
separator=""
for name in $STUB_PULUMI_RECORDED; do
    if [[ -n ${!name+set} ]]; then
        json_string "${!name}"
        entry+="$separator\"$name\":$json"
        separator=","
    fi
done
printf '%s}}\n' "$entry" >> "$STUB_PULUMI_LOG"

fail() {
    printf '%s\n' "$1" >&2
    exit 255
}

# The value after the argument $1, into $value (empty without it).
flag() {
    local i
    value=""
    for ((i = 0; i < ${#args[@]} - 1; i++)); do
        if [[ ${args[i]} == "$1" ]]; then
            value=${args[i + 1]}
            return
        fi
    done
}

if [[ $1 == version ]]; then
    echo "v$STUB_PULUMI_VERSION"
    exit 0
fi

# Which backend: PULUMI_BACKEND_URL, else the login of the (stub) Pulumi home.
home=${PULUMI_HOME:-$HOME/.pulumi}
backend=${PULUMI_BACKEND_URL:-}
if [[ -z $backend && -f $home/credentials.json ]]; then
    read -r -d '' credentials < "$home/credentials.json"
    [[ $credentials =~ \"current\"[[:space:]]*:[[:space:]]*\"([^\"]*)\" ]] && backend=${BASH_REMATCH[1]}
fi
[[ -n $backend ]] || fail "error: PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions"
if [[ $backend == file://* ]]; then
    stacks_dir=${backend#file://}/.pulumi/stacks/new-api-cluster
else
    stacks_dir=$STUB_CLOUD_DIR/stacks
fi
verb="$1 $2"
if [[ $verb == "stack init" ]]; then
    stack_name=$3
else
    flag --stack
    stack_name=$value
fi
stack_file=$stacks_dir/$stack_name.json
config_file=$cwd/Pulumi.$stack_name.yaml

has_passphrase=""
if [[ -n ${PULUMI_CONFIG_PASSPHRASE+set} ]]; then
    has_passphrase=1
    passphrase=$PULUMI_CONFIG_PASSPHRASE
elif [[ -n ${PULUMI_CONFIG_PASSPHRASE_FILE:-} ]]; then
    has_passphrase=1
    read -r -d '' passphrase < "$PULUMI_CONFIG_PASSPHRASE_FILE"
    passphrase=${passphrase#"${passphrase%%[![:space:]]*}"}
    passphrase=${passphrase%"${passphrase##*[![:space:]]}"}
fi
no_passphrase="error: passphrase must be set with PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE environment variables"

# The passphrase's salt, into $salt_of_passphrase: its FNV-1a hash (64 bits, over its bytes),
# computed in bash because every process started costs more than the whole loop.
salt_of_passphrase() {
    local LC_ALL=C hash=-3750763034362895579 i code
    for ((i = 0; i < ${#passphrase}; i++)); do
        printf -v code '%d' "'${passphrase:i:1}"
        ((hash = (hash ^ (code & 255)) * 1099511628211))
    done
    printf -v salt_of_passphrase 'v1:stub:%016x' "$hash"
}

# Creates the folders missing among $@, with one process at most.
make_dirs() {
    local dir missing=()
    for dir in "$@"; do
        [[ -d $dir ]] || missing+=("$dir")
    done
    ((${#missing[@]} == 0)) || mkdir -p "${missing[@]}"
}

# A stack is one JSON line: {"salt":"…","outputs":{…}}, without "salt" on a cloud backend.
read_stack() {
    local line
    IFS= read -r line < "$stack_file"
    salt=""
    [[ $line =~ \"salt\":\"([^\"]*)\" ]] && salt=${BASH_REMATCH[1]}
    [[ $line =~ \"outputs\":(\{.*\})\}$ ]]
    outputs=${BASH_REMATCH[1]}
}
write_stack() {
    make_dirs "$stacks_dir"
    if [[ -n $salt ]]; then
        printf '{"salt":"%s","outputs":%s}\n' "$salt" "$outputs" > "$stack_file"
    else
        printf '{"outputs":%s}\n' "$outputs" > "$stack_file"
    fi
}
# Pulumi remembers the selected stack in its home, as the real CLI does.
select_stack() {
    make_dirs "$home/workspaces"
    json_string "$stack_name"
    printf '{"stack":%s}\n' "$json" > "$home/workspaces/new-api-cluster.json"
}
unlock() {
    read_stack
    if [[ -n $salt ]]; then
        [[ -n $has_passphrase ]] || fail "$no_passphrase"
        salt_of_passphrase
        [[ $salt == "$salt_of_passphrase" ]] || fail "error: incorrect passphrase"
    fi
}

# The passphrase provider keeps its salt in the stack's config file, and a salt already there
# must match: the file's other lines stay as they are.
init_config_salt() {
    local line found="" kept=()
    if [[ -f $config_file ]]; then
        while IFS= read -r line || [[ -n $line ]]; do
            if [[ $line =~ ^encryptionsalt:[[:space:]]*[\"\']?([^\"\'[:space:]]*) ]]; then
                found=${BASH_REMATCH[1]}
            else
                kept+=("$line")
            fi
        done < "$config_file"
    fi
    [[ -z $found || $found == "$salt" ]] || fail "error: incorrect passphrase"
    [[ -z $found ]] || return 0
    printf '%s\n' "${kept[@]}" "encryptionsalt: $salt" > "$config_file"
}

# Sets $1 to the string $2 in the config file's `config:` map: replaces the key's line (and the
# more indented lines of its value), or adds it at the map's end; the other lines stay as they are.
set_config() {
    local key=$1 line indent="" in_map="" done="" skip_value="" lines=() out=()
    [[ -f $config_file ]] || fail "error: no $config_file"
    json_string "$2"
    while IFS= read -r line || [[ -n $line ]]; do
        lines+=("$line")
    done < "$config_file"
    for line in "${lines[@]}"; do
        if [[ -n $skip_value && $line =~ ^([[:space:]]*)[^[:space:]] && ${#BASH_REMATCH[1]} -gt ${#indent} ]]; then
            continue
        fi
        skip_value=""
        if [[ -n $in_map && $line =~ ^([[:space:]]+)[^[:space:]] ]]; then
            indent=${indent:-${BASH_REMATCH[1]}}
            if [[ $line == "$indent$key:" || $line == "$indent$key: "* ]]; then
                out+=("$indent$key: $json")
                done=1
                skip_value=1
                continue
            fi
        elif [[ -n $in_map && -n $line ]]; then
            in_map=""
            [[ -n $done ]] || out+=("${indent:-  }$key: $json")
            done=1
        fi
        [[ $line =~ ^config:[[:space:]]*$ ]] && in_map=1
        out+=("$line")
    done
    if [[ -z $done ]]; then
        [[ -n $in_map ]] || out+=("config:")
        out+=("${indent:-  }$key: $json")
    fi
    printf '%s\n' "${out[@]}" > "$config_file"
}

if [[ $1 == whoami ]]; then
    json_string "$backend"
    printf '{"user":"you","url":%s}\n' "$json"
    exit 0
fi
no_stack="error: no stack named '$stack_name' found"
if [[ $verb == "stack select" ]]; then
    [[ -f $stack_file ]] || fail "$no_stack"
    select_stack
    exit 0
fi
if [[ $verb == "stack init" ]]; then
    [[ ! -f $stack_file ]] || fail "error: stack '$stack_name' already exists"
    salt=""
    if [[ $backend == file://* ]]; then
        [[ -n $has_passphrase ]] || fail "$no_passphrase"
        salt_of_passphrase
        salt=$salt_of_passphrase
        init_config_salt
    fi
    outputs="{}"
    make_dirs "$stacks_dir" "$home/workspaces"
    write_stack
    select_stack
    exit 0
fi
[[ -n $stack_name && -f $stack_file ]] || fail "$no_stack"
case $verb in
    "config set")
        set_config "$3" "${args[${#args[@]} - 1]}"
        exit 0
        ;;
    "stack output")
        unlock
        if [[ " ${args[*]} " != *" --show-secrets "* && $outputs =~ ^(.*\"adminPassword\":\")[^\"]*(\".*)$ ]]; then
            outputs="${BASH_REMATCH[1]}[secret]${BASH_REMATCH[2]}"
        fi
        printf '%s\n' "$outputs"
        exit 0
        ;;
    "stack history")
        echo "[]"
        exit 0
        ;;
esac
case $1 in
    up)
        unlock
        echo "Updating ($stack_name):"
        if [[ -n ${STUB_UP_FAILS:-} ]]; then
            echo " +  docker:index/container:Container newapi-local-master creating failed"
            fail "error: update failed"
        fi
        echo " +  pulumi:pulumi:Stack new-api-cluster-$stack_name created"
        printf 'Resources:\n    + 12 created\n'
        if [[ -n ${STUB_NO_ADMIN:-} ]]; then
            outputs='{"url":"http://newapi-dev.example","masterPortForwardCommand":"aws ssm start-session --region us-east-1 --target i-0123456789abcdef0 --document-name AWS-StartPortForwardingSession --parameters portNumber=3000,localPortNumber=3000"}'
        else
            outputs='{"url":"http://127.0.0.1:8080","adminUsername":"admin","adminPassword":"stub-admin-password"}'
        fi
        write_stack
        exit 0
        ;;
    preview)
        unlock
        printf 'Previewing update (%s):\nResources:\n    + 40 to create\n' "$stack_name"
        exit 0
        ;;
    destroy)
        unlock
        printf 'Destroying (%s):\nResources:\n    - 12 deleted\n' "$stack_name"
        outputs="{}"
        write_stack
        exit 0
        ;;
esac
fail "stub pulumi: unexpected command: $*"
