function __meshctl_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __meshctl_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __meshctl_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __meshctl_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __meshctl_parse_tokens -S
    set -l unparsed_tokens (__meshctl_tokens -pc)
    switch $unparsed_tokens[1]
    case 'meshctl'
        __meshctl_parse_subcommand 0 'kubeconfig=' 'context=' 'cluster=' 'user=' 'n/namespace=' 's/server=' 'token=' 'as=' 'as-group=+' 'certificate-authority=' 'client-certificate=' 'client-key=' 'insecure-skip-tls-verify' 'tls-server-name=' 'request-timeout=' 'v/v=' 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'validate'
            __meshctl_parse_subcommand 0 'kubeconfig=' 'context=' 'cluster=' 'user=' 'n/namespace=' 's/server=' 'token=' 'as=' 'as-group=+' 'certificate-authority=' 'client-certificate=' 'client-key=' 'insecure-skip-tls-verify' 'tls-server-name=' 'request-timeout=' 'v/v=' 'f/filename=+' 'R/recursive' 'o/output=' 'fail-on=' 'strict' 'version' 'h/help'
        case 'inject'
            __meshctl_parse_subcommand 0 'kubeconfig=' 'context=' 'cluster=' 'user=' 'n/namespace=' 's/server=' 'token=' 'as=' 'as-group=+' 'certificate-authority=' 'client-certificate=' 'client-key=' 'insecure-skip-tls-verify' 'tls-server-name=' 'request-timeout=' 'v/v=' 'f/filename=+' 'R/recursive' 'i/in-place' 'o/output=' 'report=' 'provider=' 'config=' 'webhook' 'native-sidecar=' 'version' 'h/help'
        case 'uninject'
            __meshctl_parse_subcommand 0 'kubeconfig=' 'context=' 'cluster=' 'user=' 'n/namespace=' 's/server=' 'token=' 'as=' 'as-group=+' 'certificate-authority=' 'client-certificate=' 'client-key=' 'insecure-skip-tls-verify' 'tls-server-name=' 'request-timeout=' 'v/v=' 'f/filename=+' 'R/recursive' 'i/in-place' 'o/output=' 'report=' 'version' 'h/help'
        case 'render'
            __meshctl_parse_subcommand 0 'kubeconfig=' 'context=' 'cluster=' 'user=' 'n/namespace=' 's/server=' 'token=' 'as=' 'as-group=+' 'certificate-authority=' 'client-certificate=' 'client-key=' 'insecure-skip-tls-verify' 'tls-server-name=' 'request-timeout=' 'v/v=' 'f/filename=+' 'R/recursive' 'provider=' 'routing=' 'config=' 'o/output=' 'version' 'h/help'
        case 'apply'
            __meshctl_parse_subcommand 0 'kubeconfig=' 'context=' 'cluster=' 'user=' 'n/namespace=' 's/server=' 'token=' 'as=' 'as-group=+' 'certificate-authority=' 'client-certificate=' 'client-key=' 'insecure-skip-tls-verify' 'tls-server-name=' 'request-timeout=' 'v/v=' 'f/filename=+' 'R/recursive' 'dry-run=' 'force-conflicts' 'field-manager=' 'o/output=' 'version' 'h/help'
        case 'diff'
            __meshctl_parse_subcommand 0 'kubeconfig=' 'context=' 'cluster=' 'user=' 'n/namespace=' 's/server=' 'token=' 'as=' 'as-group=+' 'certificate-authority=' 'client-certificate=' 'client-key=' 'insecure-skip-tls-verify' 'tls-server-name=' 'request-timeout=' 'v/v=' 'f/filename=+' 'R/recursive' 'force-conflicts' 'field-manager=' 'version' 'h/help'
        case 'delete'
            __meshctl_parse_subcommand 0 'kubeconfig=' 'context=' 'cluster=' 'user=' 'n/namespace=' 's/server=' 'token=' 'as=' 'as-group=+' 'certificate-authority=' 'client-certificate=' 'client-key=' 'insecure-skip-tls-verify' 'tls-server-name=' 'request-timeout=' 'v/v=' 'f/filename=+' 'R/recursive' 'dry-run=' 'ignore-not-found' 'o/output=' 'version' 'h/help'
        case 'check'
            __meshctl_parse_subcommand 0 'kubeconfig=' 'context=' 'cluster=' 'user=' 'n/namespace=' 's/server=' 'token=' 'as=' 'as-group=+' 'certificate-authority=' 'client-certificate=' 'client-key=' 'insecure-skip-tls-verify' 'tls-server-name=' 'request-timeout=' 'v/v=' 'pre' 'o/output=' 'version' 'h/help'
        case 'schema'
            __meshctl_parse_subcommand 1 'kubeconfig=' 'context=' 'cluster=' 'user=' 'n/namespace=' 's/server=' 'token=' 'as=' 'as-group=+' 'certificate-authority=' 'client-certificate=' 'client-key=' 'insecure-skip-tls-verify' 'tls-server-name=' 'request-timeout=' 'v/v=' 'crd' 'o/output=' 'version' 'h/help'
        case 'version'
            __meshctl_parse_subcommand 0 'kubeconfig=' 'context=' 'cluster=' 'user=' 'n/namespace=' 's/server=' 'token=' 'as=' 'as-group=+' 'certificate-authority=' 'client-certificate=' 'client-key=' 'insecure-skip-tls-verify' 'tls-server-name=' 'request-timeout=' 'v/v=' 'o/output=' 'version' 'h/help'
        case 'help'
            __meshctl_parse_subcommand -r 1 'kubeconfig=' 'context=' 'cluster=' 'user=' 'n/namespace=' 's/server=' 'token=' 'as=' 'as-group=+' 'certificate-authority=' 'client-certificate=' 'client-key=' 'insecure-skip-tls-verify' 'tls-server-name=' 'request-timeout=' 'v/v=' 'version' 'help'
        case 'help'
            __meshctl_parse_subcommand -r 1 'version'
        end
    end
end

function __meshctl_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __meshctl_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __meshctl_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __meshctl_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__meshctl_tokens -p)
    if test -z "$(__meshctl_tokens -t)"
        set -l index (count (__meshctl_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'meshctl' -f
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl" kubeconfig' -l 'kubeconfig' -d 'Path to the kubeconfig file to use for CLI requests.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl" context' -l 'context' -d 'The name of the kubeconfig context to use.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl" cluster' -l 'cluster' -d 'The name of the kubeconfig cluster to use.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl" user' -l 'user' -d 'The name of the kubeconfig user to use.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl" n namespace' -s 'n' -l 'namespace' -d 'If present, the namespace scope for this CLI request.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl" s server' -s 's' -l 'server' -d 'The address and port of the Kubernetes API server.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl" token' -l 'token' -d 'Bearer token for authentication to the API server.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl" as' -l 'as' -d 'Username to impersonate for the operation.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl"' -l 'as-group' -d 'Group to impersonate for the operation; repeat for several groups.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl" certificate-authority' -l 'certificate-authority' -d 'Path to a cert file for the certificate authority.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl" client-certificate' -l 'client-certificate' -d 'Path to a client certificate file for TLS.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl" client-key' -l 'client-key' -d 'Path to a client key file for TLS.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl" insecure-skip-tls-verify' -l 'insecure-skip-tls-verify' -d 'Do not check the server\'s certificate for validity (makes HTTPS connections insecure).'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl" tls-server-name' -l 'tls-server-name' -d 'Server name to use for server certificate validation.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl" request-timeout' -l 'request-timeout' -d 'How long to wait for a single server request: 0 (no timeout), seconds, or a duration such as 1s, 2m, 3h.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl" v v' -s 'v' -l 'v' -d 'Log verbosity, 0 to 10 (-v=N, --v=N or -v N).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl" version' -l 'version' -d 'Show the version.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_positional "meshctl" -eq 1' -fa 'validate' -d 'Check manifests against meshctl\'s schemas, offline.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_positional "meshctl" -eq 1' -fa 'inject' -d 'Add the mesh sidecar to every pod template, offline.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_positional "meshctl" -eq 1' -fa 'uninject' -d 'Remove mesh sidecars from every pod template, offline.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_positional "meshctl" -eq 1' -fa 'render' -d 'Print the provider resources that TrafficSplits and MTLSPolicies become, offline.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_positional "meshctl" -eq 1' -fa 'apply' -d 'Apply manifests to the cluster with server-side apply, in dependency order.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_positional "meshctl" -eq 1' -fa 'diff' -d 'Show what apply would change in the cluster (server-side dry run).'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_positional "meshctl" -eq 1' -fa 'delete' -d 'Delete the objects named in the input from the cluster.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_positional "meshctl" -eq 1' -fa 'check' -d 'Check that the cluster can take meshctl: reachable, version, mesh, permissions.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_positional "meshctl" -eq 1' -fa 'schema' -d 'Print the JSON Schema or the CRD of a meshctl kind.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_positional "meshctl" -eq 1' -fa 'version' -d 'Print the meshctl version.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_positional "meshctl" -eq 1' -fa 'help' -d 'Show help for a command, or a topic: exit-codes, rules.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_positional "meshctl" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl validate" kubeconfig' -l 'kubeconfig' -d 'Path to the kubeconfig file to use for CLI requests.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl validate" context' -l 'context' -d 'The name of the kubeconfig context to use.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl validate" cluster' -l 'cluster' -d 'The name of the kubeconfig cluster to use.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl validate" user' -l 'user' -d 'The name of the kubeconfig user to use.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl validate" n namespace' -s 'n' -l 'namespace' -d 'If present, the namespace scope for this CLI request.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl validate" s server' -s 's' -l 'server' -d 'The address and port of the Kubernetes API server.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl validate" token' -l 'token' -d 'Bearer token for authentication to the API server.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl validate" as' -l 'as' -d 'Username to impersonate for the operation.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl validate"' -l 'as-group' -d 'Group to impersonate for the operation; repeat for several groups.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl validate" certificate-authority' -l 'certificate-authority' -d 'Path to a cert file for the certificate authority.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl validate" client-certificate' -l 'client-certificate' -d 'Path to a client certificate file for TLS.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl validate" client-key' -l 'client-key' -d 'Path to a client key file for TLS.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl validate" insecure-skip-tls-verify' -l 'insecure-skip-tls-verify' -d 'Do not check the server\'s certificate for validity (makes HTTPS connections insecure).'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl validate" tls-server-name' -l 'tls-server-name' -d 'Server name to use for server certificate validation.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl validate" request-timeout' -l 'request-timeout' -d 'How long to wait for a single server request: 0 (no timeout), seconds, or a duration such as 1s, 2m, 3h.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl validate" v v' -s 'v' -l 'v' -d 'Log verbosity, 0 to 10 (-v=N, --v=N or -v N).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl validate"' -s 'f' -l 'filename' -d 'A file, a directory of .yaml/.yml/.json files, or - for standard input; repeat for several.' -rfa '(set -l exts \'yaml\' \'yml\' \'json\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl validate" R recursive' -s 'R' -l 'recursive' -d 'Process the directories given with -f recursively.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl validate" o output' -s 'o' -l 'output' -d 'Output format: text, json, junit, sarif or github.' -rfka 'text json junit sarif github'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl validate" fail-on' -l 'fail-on' -d 'Exit 1 on findings at or above this severity: error, warning or never.' -rfka 'error warning never'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl validate" strict' -l 'strict' -d 'Treat unknown fields in Kubernetes and provider kinds as errors, not warnings.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl validate" version' -l 'version' -d 'Show the version.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl validate" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl inject" kubeconfig' -l 'kubeconfig' -d 'Path to the kubeconfig file to use for CLI requests.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl inject" context' -l 'context' -d 'The name of the kubeconfig context to use.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl inject" cluster' -l 'cluster' -d 'The name of the kubeconfig cluster to use.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl inject" user' -l 'user' -d 'The name of the kubeconfig user to use.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl inject" n namespace' -s 'n' -l 'namespace' -d 'If present, the namespace scope for this CLI request.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl inject" s server' -s 's' -l 'server' -d 'The address and port of the Kubernetes API server.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl inject" token' -l 'token' -d 'Bearer token for authentication to the API server.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl inject" as' -l 'as' -d 'Username to impersonate for the operation.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl inject"' -l 'as-group' -d 'Group to impersonate for the operation; repeat for several groups.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl inject" certificate-authority' -l 'certificate-authority' -d 'Path to a cert file for the certificate authority.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl inject" client-certificate' -l 'client-certificate' -d 'Path to a client certificate file for TLS.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl inject" client-key' -l 'client-key' -d 'Path to a client key file for TLS.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl inject" insecure-skip-tls-verify' -l 'insecure-skip-tls-verify' -d 'Do not check the server\'s certificate for validity (makes HTTPS connections insecure).'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl inject" tls-server-name' -l 'tls-server-name' -d 'Server name to use for server certificate validation.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl inject" request-timeout' -l 'request-timeout' -d 'How long to wait for a single server request: 0 (no timeout), seconds, or a duration such as 1s, 2m, 3h.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl inject" v v' -s 'v' -l 'v' -d 'Log verbosity, 0 to 10 (-v=N, --v=N or -v N).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl inject"' -s 'f' -l 'filename' -d 'A file, a directory of .yaml/.yml/.json files, or - for standard input; repeat for several.' -rfa '(set -l exts \'yaml\' \'yml\' \'json\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl inject" R recursive' -s 'R' -l 'recursive' -d 'Process the directories given with -f recursively.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl inject" i in-place' -s 'i' -l 'in-place' -d 'Rewrite the input files in place (atomically; unchanged files are not touched).'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl inject" o output' -s 'o' -l 'output' -d 'Output format: yaml or json.' -rfka 'yaml json'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl inject" report' -l 'report' -d 'Also write the report as JSON to this file (for CI).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl inject" provider' -l 'provider' -d 'The mesh: istio or linkerd (default: the MeshConfig\'s, else istio).' -rfka 'istio linkerd'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl inject" config' -l 'config' -d 'A meshctl.io/v1alpha1 MeshConfig file with the sidecar settings.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl inject" webhook' -l 'webhook' -d 'Only mark workloads for the cluster\'s injector (Istio label, Linkerd annotation).'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl inject" native-sidecar' -l 'native-sidecar' -d 'Run the proxy as a native sidecar: auto, true or false.' -rfka 'auto true false'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl inject" version' -l 'version' -d 'Show the version.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl inject" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl uninject" kubeconfig' -l 'kubeconfig' -d 'Path to the kubeconfig file to use for CLI requests.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl uninject" context' -l 'context' -d 'The name of the kubeconfig context to use.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl uninject" cluster' -l 'cluster' -d 'The name of the kubeconfig cluster to use.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl uninject" user' -l 'user' -d 'The name of the kubeconfig user to use.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl uninject" n namespace' -s 'n' -l 'namespace' -d 'If present, the namespace scope for this CLI request.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl uninject" s server' -s 's' -l 'server' -d 'The address and port of the Kubernetes API server.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl uninject" token' -l 'token' -d 'Bearer token for authentication to the API server.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl uninject" as' -l 'as' -d 'Username to impersonate for the operation.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl uninject"' -l 'as-group' -d 'Group to impersonate for the operation; repeat for several groups.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl uninject" certificate-authority' -l 'certificate-authority' -d 'Path to a cert file for the certificate authority.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl uninject" client-certificate' -l 'client-certificate' -d 'Path to a client certificate file for TLS.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl uninject" client-key' -l 'client-key' -d 'Path to a client key file for TLS.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl uninject" insecure-skip-tls-verify' -l 'insecure-skip-tls-verify' -d 'Do not check the server\'s certificate for validity (makes HTTPS connections insecure).'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl uninject" tls-server-name' -l 'tls-server-name' -d 'Server name to use for server certificate validation.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl uninject" request-timeout' -l 'request-timeout' -d 'How long to wait for a single server request: 0 (no timeout), seconds, or a duration such as 1s, 2m, 3h.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl uninject" v v' -s 'v' -l 'v' -d 'Log verbosity, 0 to 10 (-v=N, --v=N or -v N).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl uninject"' -s 'f' -l 'filename' -d 'A file, a directory of .yaml/.yml/.json files, or - for standard input; repeat for several.' -rfa '(set -l exts \'yaml\' \'yml\' \'json\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl uninject" R recursive' -s 'R' -l 'recursive' -d 'Process the directories given with -f recursively.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl uninject" i in-place' -s 'i' -l 'in-place' -d 'Rewrite the input files in place (atomically; unchanged files are not touched).'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl uninject" o output' -s 'o' -l 'output' -d 'Output format: yaml or json.' -rfka 'yaml json'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl uninject" report' -l 'report' -d 'Also write the report as JSON to this file (for CI).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl uninject" version' -l 'version' -d 'Show the version.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl uninject" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl render" kubeconfig' -l 'kubeconfig' -d 'Path to the kubeconfig file to use for CLI requests.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl render" context' -l 'context' -d 'The name of the kubeconfig context to use.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl render" cluster' -l 'cluster' -d 'The name of the kubeconfig cluster to use.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl render" user' -l 'user' -d 'The name of the kubeconfig user to use.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl render" n namespace' -s 'n' -l 'namespace' -d 'If present, the namespace scope for this CLI request.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl render" s server' -s 's' -l 'server' -d 'The address and port of the Kubernetes API server.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl render" token' -l 'token' -d 'Bearer token for authentication to the API server.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl render" as' -l 'as' -d 'Username to impersonate for the operation.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl render"' -l 'as-group' -d 'Group to impersonate for the operation; repeat for several groups.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl render" certificate-authority' -l 'certificate-authority' -d 'Path to a cert file for the certificate authority.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl render" client-certificate' -l 'client-certificate' -d 'Path to a client certificate file for TLS.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl render" client-key' -l 'client-key' -d 'Path to a client key file for TLS.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl render" insecure-skip-tls-verify' -l 'insecure-skip-tls-verify' -d 'Do not check the server\'s certificate for validity (makes HTTPS connections insecure).'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl render" tls-server-name' -l 'tls-server-name' -d 'Server name to use for server certificate validation.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl render" request-timeout' -l 'request-timeout' -d 'How long to wait for a single server request: 0 (no timeout), seconds, or a duration such as 1s, 2m, 3h.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl render" v v' -s 'v' -l 'v' -d 'Log verbosity, 0 to 10 (-v=N, --v=N or -v N).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl render"' -s 'f' -l 'filename' -d 'A file, a directory of .yaml/.yml/.json files, or - for standard input; repeat for several.' -rfa '(set -l exts \'yaml\' \'yml\' \'json\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl render" R recursive' -s 'R' -l 'recursive' -d 'Process the directories given with -f recursively.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl render" provider' -l 'provider' -d 'The mesh: istio or linkerd (default: the MeshConfig\'s, else istio).' -rfka 'istio linkerd'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl render" routing' -l 'routing' -d 'TrafficSplit routing: provider (Istio VirtualService) or gateway-api (HTTPRoute; always on Linkerd).' -rfka 'provider gateway-api'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl render" config' -l 'config' -d 'A meshctl.io/v1alpha1 MeshConfig file (provider, trust domain, control plane namespace).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl render" o output' -s 'o' -l 'output' -d 'Output format: yaml or json.' -rfka 'yaml json'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl render" version' -l 'version' -d 'Show the version.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl render" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl apply" kubeconfig' -l 'kubeconfig' -d 'Path to the kubeconfig file to use for CLI requests.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl apply" context' -l 'context' -d 'The name of the kubeconfig context to use.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl apply" cluster' -l 'cluster' -d 'The name of the kubeconfig cluster to use.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl apply" user' -l 'user' -d 'The name of the kubeconfig user to use.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl apply" n namespace' -s 'n' -l 'namespace' -d 'If present, the namespace scope for this CLI request.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl apply" s server' -s 's' -l 'server' -d 'The address and port of the Kubernetes API server.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl apply" token' -l 'token' -d 'Bearer token for authentication to the API server.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl apply" as' -l 'as' -d 'Username to impersonate for the operation.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl apply"' -l 'as-group' -d 'Group to impersonate for the operation; repeat for several groups.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl apply" certificate-authority' -l 'certificate-authority' -d 'Path to a cert file for the certificate authority.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl apply" client-certificate' -l 'client-certificate' -d 'Path to a client certificate file for TLS.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl apply" client-key' -l 'client-key' -d 'Path to a client key file for TLS.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl apply" insecure-skip-tls-verify' -l 'insecure-skip-tls-verify' -d 'Do not check the server\'s certificate for validity (makes HTTPS connections insecure).'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl apply" tls-server-name' -l 'tls-server-name' -d 'Server name to use for server certificate validation.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl apply" request-timeout' -l 'request-timeout' -d 'How long to wait for a single server request: 0 (no timeout), seconds, or a duration such as 1s, 2m, 3h.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl apply" v v' -s 'v' -l 'v' -d 'Log verbosity, 0 to 10 (-v=N, --v=N or -v N).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl apply"' -s 'f' -l 'filename' -d 'A file, a directory of .yaml/.yml/.json files, or - for standard input; repeat for several.' -rfa '(set -l exts \'yaml\' \'yml\' \'json\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl apply" R recursive' -s 'R' -l 'recursive' -d 'Process the directories given with -f recursively.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl apply" dry-run' -l 'dry-run' -d 'none, client (send nothing) or server (the server checks, nothing is stored).' -rfka 'none client server'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl apply" force-conflicts' -l 'force-conflicts' -d 'Take fields that other field managers own instead of stopping with a conflict.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl apply" field-manager' -l 'field-manager' -d 'The field manager that owns what this apply sets.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl apply" o output' -s 'o' -l 'output' -d 'Output: name, json or yaml (default: a result line per object).' -rfka 'name json yaml'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl apply" version' -l 'version' -d 'Show the version.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl apply" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl diff" kubeconfig' -l 'kubeconfig' -d 'Path to the kubeconfig file to use for CLI requests.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl diff" context' -l 'context' -d 'The name of the kubeconfig context to use.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl diff" cluster' -l 'cluster' -d 'The name of the kubeconfig cluster to use.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl diff" user' -l 'user' -d 'The name of the kubeconfig user to use.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl diff" n namespace' -s 'n' -l 'namespace' -d 'If present, the namespace scope for this CLI request.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl diff" s server' -s 's' -l 'server' -d 'The address and port of the Kubernetes API server.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl diff" token' -l 'token' -d 'Bearer token for authentication to the API server.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl diff" as' -l 'as' -d 'Username to impersonate for the operation.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl diff"' -l 'as-group' -d 'Group to impersonate for the operation; repeat for several groups.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl diff" certificate-authority' -l 'certificate-authority' -d 'Path to a cert file for the certificate authority.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl diff" client-certificate' -l 'client-certificate' -d 'Path to a client certificate file for TLS.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl diff" client-key' -l 'client-key' -d 'Path to a client key file for TLS.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl diff" insecure-skip-tls-verify' -l 'insecure-skip-tls-verify' -d 'Do not check the server\'s certificate for validity (makes HTTPS connections insecure).'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl diff" tls-server-name' -l 'tls-server-name' -d 'Server name to use for server certificate validation.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl diff" request-timeout' -l 'request-timeout' -d 'How long to wait for a single server request: 0 (no timeout), seconds, or a duration such as 1s, 2m, 3h.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl diff" v v' -s 'v' -l 'v' -d 'Log verbosity, 0 to 10 (-v=N, --v=N or -v N).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl diff"' -s 'f' -l 'filename' -d 'A file, a directory of .yaml/.yml/.json files, or - for standard input; repeat for several.' -rfa '(set -l exts \'yaml\' \'yml\' \'json\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl diff" R recursive' -s 'R' -l 'recursive' -d 'Process the directories given with -f recursively.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl diff" force-conflicts' -l 'force-conflicts' -d 'Show the result of taking fields that other field managers own.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl diff" field-manager' -l 'field-manager' -d 'The field manager the dry-run apply uses.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl diff" version' -l 'version' -d 'Show the version.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl diff" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl delete" kubeconfig' -l 'kubeconfig' -d 'Path to the kubeconfig file to use for CLI requests.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl delete" context' -l 'context' -d 'The name of the kubeconfig context to use.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl delete" cluster' -l 'cluster' -d 'The name of the kubeconfig cluster to use.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl delete" user' -l 'user' -d 'The name of the kubeconfig user to use.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl delete" n namespace' -s 'n' -l 'namespace' -d 'If present, the namespace scope for this CLI request.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl delete" s server' -s 's' -l 'server' -d 'The address and port of the Kubernetes API server.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl delete" token' -l 'token' -d 'Bearer token for authentication to the API server.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl delete" as' -l 'as' -d 'Username to impersonate for the operation.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl delete"' -l 'as-group' -d 'Group to impersonate for the operation; repeat for several groups.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl delete" certificate-authority' -l 'certificate-authority' -d 'Path to a cert file for the certificate authority.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl delete" client-certificate' -l 'client-certificate' -d 'Path to a client certificate file for TLS.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl delete" client-key' -l 'client-key' -d 'Path to a client key file for TLS.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl delete" insecure-skip-tls-verify' -l 'insecure-skip-tls-verify' -d 'Do not check the server\'s certificate for validity (makes HTTPS connections insecure).'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl delete" tls-server-name' -l 'tls-server-name' -d 'Server name to use for server certificate validation.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl delete" request-timeout' -l 'request-timeout' -d 'How long to wait for a single server request: 0 (no timeout), seconds, or a duration such as 1s, 2m, 3h.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl delete" v v' -s 'v' -l 'v' -d 'Log verbosity, 0 to 10 (-v=N, --v=N or -v N).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl delete"' -s 'f' -l 'filename' -d 'A file, a directory of .yaml/.yml/.json files, or - for standard input; repeat for several.' -rfa '(set -l exts \'yaml\' \'yml\' \'json\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl delete" R recursive' -s 'R' -l 'recursive' -d 'Process the directories given with -f recursively.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl delete" dry-run' -l 'dry-run' -d 'none, client (send nothing) or server (the server checks, nothing is deleted).' -rfka 'none client server'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl delete" ignore-not-found' -l 'ignore-not-found' -d 'Treat objects that do not exist as deleted.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl delete" o output' -s 'o' -l 'output' -d 'Output: name (default: a result line per object).' -rfka 'name'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl delete" version' -l 'version' -d 'Show the version.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl delete" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl check" kubeconfig' -l 'kubeconfig' -d 'Path to the kubeconfig file to use for CLI requests.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl check" context' -l 'context' -d 'The name of the kubeconfig context to use.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl check" cluster' -l 'cluster' -d 'The name of the kubeconfig cluster to use.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl check" user' -l 'user' -d 'The name of the kubeconfig user to use.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl check" n namespace' -s 'n' -l 'namespace' -d 'If present, the namespace scope for this CLI request.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl check" s server' -s 's' -l 'server' -d 'The address and port of the Kubernetes API server.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl check" token' -l 'token' -d 'Bearer token for authentication to the API server.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl check" as' -l 'as' -d 'Username to impersonate for the operation.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl check"' -l 'as-group' -d 'Group to impersonate for the operation; repeat for several groups.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl check" certificate-authority' -l 'certificate-authority' -d 'Path to a cert file for the certificate authority.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl check" client-certificate' -l 'client-certificate' -d 'Path to a client certificate file for TLS.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl check" client-key' -l 'client-key' -d 'Path to a client key file for TLS.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl check" insecure-skip-tls-verify' -l 'insecure-skip-tls-verify' -d 'Do not check the server\'s certificate for validity (makes HTTPS connections insecure).'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl check" tls-server-name' -l 'tls-server-name' -d 'Server name to use for server certificate validation.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl check" request-timeout' -l 'request-timeout' -d 'How long to wait for a single server request: 0 (no timeout), seconds, or a duration such as 1s, 2m, 3h.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl check" v v' -s 'v' -l 'v' -d 'Log verbosity, 0 to 10 (-v=N, --v=N or -v N).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl check" pre' -l 'pre' -d 'Check a cluster before a mesh is installed.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl check" o output' -s 'o' -l 'output' -d 'Output: text or json.' -rfka 'text json'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl check" version' -l 'version' -d 'Show the version.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl check" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl schema" kubeconfig' -l 'kubeconfig' -d 'Path to the kubeconfig file to use for CLI requests.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl schema" context' -l 'context' -d 'The name of the kubeconfig context to use.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl schema" cluster' -l 'cluster' -d 'The name of the kubeconfig cluster to use.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl schema" user' -l 'user' -d 'The name of the kubeconfig user to use.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl schema" n namespace' -s 'n' -l 'namespace' -d 'If present, the namespace scope for this CLI request.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl schema" s server' -s 's' -l 'server' -d 'The address and port of the Kubernetes API server.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl schema" token' -l 'token' -d 'Bearer token for authentication to the API server.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl schema" as' -l 'as' -d 'Username to impersonate for the operation.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl schema"' -l 'as-group' -d 'Group to impersonate for the operation; repeat for several groups.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl schema" certificate-authority' -l 'certificate-authority' -d 'Path to a cert file for the certificate authority.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl schema" client-certificate' -l 'client-certificate' -d 'Path to a client certificate file for TLS.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl schema" client-key' -l 'client-key' -d 'Path to a client key file for TLS.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl schema" insecure-skip-tls-verify' -l 'insecure-skip-tls-verify' -d 'Do not check the server\'s certificate for validity (makes HTTPS connections insecure).'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl schema" tls-server-name' -l 'tls-server-name' -d 'Server name to use for server certificate validation.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl schema" request-timeout' -l 'request-timeout' -d 'How long to wait for a single server request: 0 (no timeout), seconds, or a duration such as 1s, 2m, 3h.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl schema" v v' -s 'v' -l 'v' -d 'Log verbosity, 0 to 10 (-v=N, --v=N or -v N).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl schema" crd' -l 'crd' -d 'Print the apiextensions.k8s.io/v1 CustomResourceDefinition instead of the JSON Schema.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl schema" o output' -s 'o' -l 'output' -d 'Output format: json (default for a schema) or yaml (default for --crd).' -rfka 'json yaml'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl schema" version' -l 'version' -d 'Show the version.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl schema" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl version" kubeconfig' -l 'kubeconfig' -d 'Path to the kubeconfig file to use for CLI requests.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl version" context' -l 'context' -d 'The name of the kubeconfig context to use.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl version" cluster' -l 'cluster' -d 'The name of the kubeconfig cluster to use.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl version" user' -l 'user' -d 'The name of the kubeconfig user to use.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl version" n namespace' -s 'n' -l 'namespace' -d 'If present, the namespace scope for this CLI request.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl version" s server' -s 's' -l 'server' -d 'The address and port of the Kubernetes API server.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl version" token' -l 'token' -d 'Bearer token for authentication to the API server.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl version" as' -l 'as' -d 'Username to impersonate for the operation.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl version"' -l 'as-group' -d 'Group to impersonate for the operation; repeat for several groups.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl version" certificate-authority' -l 'certificate-authority' -d 'Path to a cert file for the certificate authority.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl version" client-certificate' -l 'client-certificate' -d 'Path to a client certificate file for TLS.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl version" client-key' -l 'client-key' -d 'Path to a client key file for TLS.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl version" insecure-skip-tls-verify' -l 'insecure-skip-tls-verify' -d 'Do not check the server\'s certificate for validity (makes HTTPS connections insecure).'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl version" tls-server-name' -l 'tls-server-name' -d 'Server name to use for server certificate validation.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl version" request-timeout' -l 'request-timeout' -d 'How long to wait for a single server request: 0 (no timeout), seconds, or a duration such as 1s, 2m, 3h.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl version" v v' -s 'v' -l 'v' -d 'Log verbosity, 0 to 10 (-v=N, --v=N or -v N).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl version" o output' -s 'o' -l 'output' -d 'Output format: text or json.' -rfka 'text json'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl version" version' -l 'version' -d 'Show the version.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl version" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl help" kubeconfig' -l 'kubeconfig' -d 'Path to the kubeconfig file to use for CLI requests.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl help" context' -l 'context' -d 'The name of the kubeconfig context to use.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl help" cluster' -l 'cluster' -d 'The name of the kubeconfig cluster to use.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl help" user' -l 'user' -d 'The name of the kubeconfig user to use.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl help" n namespace' -s 'n' -l 'namespace' -d 'If present, the namespace scope for this CLI request.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl help" s server' -s 's' -l 'server' -d 'The address and port of the Kubernetes API server.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl help" token' -l 'token' -d 'Bearer token for authentication to the API server.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl help" as' -l 'as' -d 'Username to impersonate for the operation.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl help"' -l 'as-group' -d 'Group to impersonate for the operation; repeat for several groups.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl help" certificate-authority' -l 'certificate-authority' -d 'Path to a cert file for the certificate authority.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl help" client-certificate' -l 'client-certificate' -d 'Path to a client certificate file for TLS.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl help" client-key' -l 'client-key' -d 'Path to a client key file for TLS.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl help" insecure-skip-tls-verify' -l 'insecure-skip-tls-verify' -d 'Do not check the server\'s certificate for validity (makes HTTPS connections insecure).'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl help" tls-server-name' -l 'tls-server-name' -d 'Server name to use for server certificate validation.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl help" request-timeout' -l 'request-timeout' -d 'How long to wait for a single server request: 0 (no timeout), seconds, or a duration such as 1s, 2m, 3h.' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl help" v v' -s 'v' -l 'v' -d 'Log verbosity, 0 to 10 (-v=N, --v=N or -v N).' -rfka ''
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_positional "meshctl help" -ge 1' -fka 'exit-codes rules validate schema version'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl help" version' -l 'version' -d 'Show the version.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl help" help' -l 'help' -d 'Show help information.'
complete -c 'meshctl' -n '__meshctl_should_offer_completions_for_flags_or_options "meshctl help" version' -l 'version' -d 'Show the version.'
