#!/bin/bash

__meshctl_cursor_index_in_current_word() {
    local remaining="${COMP_LINE}"

    local word
    for word in "${COMP_WORDS[@]::COMP_CWORD}"; do
        remaining="${remaining##*([[:space:]])"${word}"*([[:space:]])}"
    done

    local -ir index="$((COMP_POINT - ${#COMP_LINE} + ${#remaining}))"
    if [[ "${index}" -le 0 ]]; then
        printf 0
    else
        printf %s "${index}"
    fi
}

# positional arguments:
#
# - 1: the current (sub)command's count of positional arguments
#
# required variables:
#
# - repeating_flags: the repeating flags that the current (sub)command can accept
# - non_repeating_flags: the non-repeating flags that the current (sub)command can accept
# - repeating_options: the repeating options that the current (sub)command can accept
# - non_repeating_options: the non-repeating options that the current (sub)command can accept
# - positional_number: value ignored
# - unparsed_words: unparsed words from the current command line
#
# modified variables:
#
# - non_repeating_flags: remove flags for this (sub)command that are already on the command line
# - non_repeating_options: remove options for this (sub)command that are already on the command line
# - positional_number: set to the current positional number
# - unparsed_words: remove all flags, options, and option values for this (sub)command
__meshctl_offer_flags_options() {
    local -ir positional_count="${1}"
    positional_number=0

    local was_flag_option_terminator_seen=false
    local is_parsing_option_value=false

    local -ar unparsed_word_indices=("${!unparsed_words[@]}")
    local -i word_index
    for word_index in "${unparsed_word_indices[@]}"; do
        if "${is_parsing_option_value}"; then
            # This word is an option value:
            # Reset marker for next word iff not currently the last word
            [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]] && is_parsing_option_value=false
            unset "unparsed_words[${word_index}]"
            # Do not process this word as a flag or an option
            continue
        fi

        local word="${unparsed_words["${word_index}"]}"
        if ! "${was_flag_option_terminator_seen}"; then
            case "${word}" in
            --)
                unset "unparsed_words[${word_index}]"
                # by itself -- is a flag/option terminator, but if it is the last word, it is the start of a completion
                if [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]]; then
                    was_flag_option_terminator_seen=true
                fi
                continue
                ;;
            -*)
                # ${word} is a flag or an option
                # If ${word} is an option, mark that the next word to be parsed is an option value
                local option
                for option in "${repeating_options[@]}" "${non_repeating_options[@]}"; do
                    [[ "${word}" = "${option}" ]] && is_parsing_option_value=true && break
                done

                # Remove ${word} from ${non_repeating_flags} or ${non_repeating_options} so it isn't offered again
                local not_found=true
                local -i index
                for index in "${!non_repeating_flags[@]}"; do
                    if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                        unset "non_repeating_flags[${index}]"
                        non_repeating_flags=("${non_repeating_flags[@]}")
                        not_found=false
                        break
                    fi
                done
                if "${not_found}"; then
                    for index in "${!non_repeating_flags[@]}"; do
                        if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                            unset "non_repeating_flags[${index}]"
                            non_repeating_flags=("${non_repeating_flags[@]}")
                            break
                        fi
                    done
                fi
                unset "unparsed_words[${word_index}]"
                continue
                ;;
            esac
        fi

        # ${word} is neither a flag, nor an option, nor an option value
        if [[ "${positional_number}" -lt "${positional_count}" || "${positional_count}" -lt 0 ]]; then
            # ${word} is a positional
            ((positional_number++))
            unset "unparsed_words[${word_index}]"
        else
            if [[ -z "${word}" ]]; then
                # Could be completing a flag, option, or subcommand
                positional_number=-1
            else
                # ${word} is a subcommand or invalid, so stop processing this (sub)command
                positional_number=-2
            fi
            break
        fi
    done

    unparsed_words=("${unparsed_words[@]}")

    if\
        ! "${was_flag_option_terminator_seen}"\
        && ! "${is_parsing_option_value}"\
        && [[ ("${cur}" = -* && "${positional_number}" -ge 0) || "${positional_number}" -eq -1 ]]
    then
        COMPREPLY+=($(compgen -W "${repeating_flags[*]} ${non_repeating_flags[*]} ${repeating_options[*]} ${non_repeating_options[*]}" -- "${cur}"))
    fi
}

__meshctl_add_completions() {
    local completion
    while IFS='' read -r completion; do
        COMPREPLY+=("${completion}")
    done < <(IFS=$'\n' compgen "${@}" -- "${cur}")
}

__meshctl_custom_complete() {
    if [[ -n "${cur}" || -z ${COMP_WORDS[${COMP_CWORD}]} || "${COMP_LINE:${COMP_POINT}:1}" != ' ' ]]; then
        local -ar words=("${COMP_WORDS[@]}")
    else
        local -ar words=("${COMP_WORDS[@]::${COMP_CWORD}}" '' "${COMP_WORDS[@]:${COMP_CWORD}}")
    fi

    "${COMP_WORDS[0]}" "${@}" "${words[@]}"
}

_meshctl() {
    local state
    state="$(shopt -p;shopt -po)"
    trap "${state//$'\n'/;}" RETURN
    shopt -s extglob
    set +o history +o posix

    local -xr SAP_SHELL=bash
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(IFS='.';printf %s "${BASH_VERSINFO[*]}")"
    local -r SAP_SHELL_VERSION

    local -r cur="${2}"
    local -r prev="${3}"

    local -i positional_number
    local -a unparsed_words=("${COMP_WORDS[@]:1:${COMP_CWORD}}")

    local -a repeating_flags=()
    local -a non_repeating_flags=(--insecure-skip-tls-verify --version -h --help)
    local -a repeating_options=(--as-group)
    local -a non_repeating_options=(--kubeconfig --context --cluster --user -n --namespace -s --server --token --as --certificate-authority --client-certificate --client-key --tls-server-name --request-timeout -v --v)
    __meshctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--kubeconfig')
        return
        ;;
    '--context')
        return
        ;;
    '--cluster')
        return
        ;;
    '--user')
        return
        ;;
    '-n'|'--namespace')
        return
        ;;
    '-s'|'--server')
        return
        ;;
    '--token')
        return
        ;;
    '--as')
        return
        ;;
    '--as-group')
        return
        ;;
    '--certificate-authority')
        return
        ;;
    '--client-certificate')
        return
        ;;
    '--client-key')
        return
        ;;
    '--tls-server-name')
        return
        ;;
    '--request-timeout')
        return
        ;;
    '-v'|'--v')
        return
        ;;
    esac

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    validate|inject|uninject|render|apply|diff|delete|get|shift|mtls|top|check|schema|version|help|help)
        # Offer subcommand argument completions
        "_meshctl_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'validate inject uninject render apply diff delete get shift mtls top check schema version help help' -- "${cur}"))
        ;;
    esac
}

_meshctl_validate() {
    repeating_flags=()
    non_repeating_flags=(--insecure-skip-tls-verify -R --recursive --strict --version -h --help)
    repeating_options=(--as-group -f --filename)
    non_repeating_options=(--kubeconfig --context --cluster --user -n --namespace -s --server --token --as --certificate-authority --client-certificate --client-key --tls-server-name --request-timeout -v --v -o --output --fail-on)
    __meshctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--kubeconfig')
        return
        ;;
    '--context')
        return
        ;;
    '--cluster')
        return
        ;;
    '--user')
        return
        ;;
    '-n'|'--namespace')
        return
        ;;
    '-s'|'--server')
        return
        ;;
    '--token')
        return
        ;;
    '--as')
        return
        ;;
    '--as-group')
        return
        ;;
    '--certificate-authority')
        return
        ;;
    '--client-certificate')
        return
        ;;
    '--client-key')
        return
        ;;
    '--tls-server-name')
        return
        ;;
    '--request-timeout')
        return
        ;;
    '-v'|'--v')
        return
        ;;
    '-f'|'--filename')
        __meshctl_add_completions -o plusdirs -fX '!*.@(yaml|yml|json)'
        return
        ;;
    '-o'|'--output')
        __meshctl_add_completions -W 'text'$'\n''json'$'\n''junit'$'\n''sarif'$'\n''github'
        return
        ;;
    '--fail-on')
        __meshctl_add_completions -W 'error'$'\n''warning'$'\n''never'
        return
        ;;
    esac
}

_meshctl_inject() {
    repeating_flags=()
    non_repeating_flags=(--insecure-skip-tls-verify -R --recursive -i --in-place --webhook --version -h --help)
    repeating_options=(--as-group -f --filename)
    non_repeating_options=(--kubeconfig --context --cluster --user -n --namespace -s --server --token --as --certificate-authority --client-certificate --client-key --tls-server-name --request-timeout -v --v -o --output --report --provider --config --native-sidecar)
    __meshctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--kubeconfig')
        return
        ;;
    '--context')
        return
        ;;
    '--cluster')
        return
        ;;
    '--user')
        return
        ;;
    '-n'|'--namespace')
        return
        ;;
    '-s'|'--server')
        return
        ;;
    '--token')
        return
        ;;
    '--as')
        return
        ;;
    '--as-group')
        return
        ;;
    '--certificate-authority')
        return
        ;;
    '--client-certificate')
        return
        ;;
    '--client-key')
        return
        ;;
    '--tls-server-name')
        return
        ;;
    '--request-timeout')
        return
        ;;
    '-v'|'--v')
        return
        ;;
    '-f'|'--filename')
        __meshctl_add_completions -o plusdirs -fX '!*.@(yaml|yml|json)'
        return
        ;;
    '-o'|'--output')
        __meshctl_add_completions -W 'yaml'$'\n''json'
        return
        ;;
    '--report')
        return
        ;;
    '--provider')
        __meshctl_add_completions -W 'istio'$'\n''linkerd'
        return
        ;;
    '--config')
        return
        ;;
    '--native-sidecar')
        __meshctl_add_completions -W 'auto'$'\n''true'$'\n''false'
        return
        ;;
    esac
}

_meshctl_uninject() {
    repeating_flags=()
    non_repeating_flags=(--insecure-skip-tls-verify -R --recursive -i --in-place --version -h --help)
    repeating_options=(--as-group -f --filename)
    non_repeating_options=(--kubeconfig --context --cluster --user -n --namespace -s --server --token --as --certificate-authority --client-certificate --client-key --tls-server-name --request-timeout -v --v -o --output --report)
    __meshctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--kubeconfig')
        return
        ;;
    '--context')
        return
        ;;
    '--cluster')
        return
        ;;
    '--user')
        return
        ;;
    '-n'|'--namespace')
        return
        ;;
    '-s'|'--server')
        return
        ;;
    '--token')
        return
        ;;
    '--as')
        return
        ;;
    '--as-group')
        return
        ;;
    '--certificate-authority')
        return
        ;;
    '--client-certificate')
        return
        ;;
    '--client-key')
        return
        ;;
    '--tls-server-name')
        return
        ;;
    '--request-timeout')
        return
        ;;
    '-v'|'--v')
        return
        ;;
    '-f'|'--filename')
        __meshctl_add_completions -o plusdirs -fX '!*.@(yaml|yml|json)'
        return
        ;;
    '-o'|'--output')
        __meshctl_add_completions -W 'yaml'$'\n''json'
        return
        ;;
    '--report')
        return
        ;;
    esac
}

_meshctl_render() {
    repeating_flags=()
    non_repeating_flags=(--insecure-skip-tls-verify -R --recursive --version -h --help)
    repeating_options=(--as-group -f --filename)
    non_repeating_options=(--kubeconfig --context --cluster --user -n --namespace -s --server --token --as --certificate-authority --client-certificate --client-key --tls-server-name --request-timeout -v --v --provider --config --routing -o --output)
    __meshctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--kubeconfig')
        return
        ;;
    '--context')
        return
        ;;
    '--cluster')
        return
        ;;
    '--user')
        return
        ;;
    '-n'|'--namespace')
        return
        ;;
    '-s'|'--server')
        return
        ;;
    '--token')
        return
        ;;
    '--as')
        return
        ;;
    '--as-group')
        return
        ;;
    '--certificate-authority')
        return
        ;;
    '--client-certificate')
        return
        ;;
    '--client-key')
        return
        ;;
    '--tls-server-name')
        return
        ;;
    '--request-timeout')
        return
        ;;
    '-v'|'--v')
        return
        ;;
    '-f'|'--filename')
        __meshctl_add_completions -o plusdirs -fX '!*.@(yaml|yml|json)'
        return
        ;;
    '--provider')
        __meshctl_add_completions -W 'istio'$'\n''linkerd'
        return
        ;;
    '--config')
        return
        ;;
    '--routing')
        __meshctl_add_completions -W 'provider'$'\n''gateway-api'
        return
        ;;
    '-o'|'--output')
        __meshctl_add_completions -W 'yaml'$'\n''json'
        return
        ;;
    esac
}

_meshctl_apply() {
    repeating_flags=()
    non_repeating_flags=(--insecure-skip-tls-verify -R --recursive --force-conflicts --allow-empty --force --version -h --help)
    repeating_options=(--as-group -f --filename)
    non_repeating_options=(--kubeconfig --context --cluster --user -n --namespace -s --server --token --as --certificate-authority --client-certificate --client-key --tls-server-name --request-timeout -v --v --provider --config --routing --dry-run --field-manager -o --output)
    __meshctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--kubeconfig')
        return
        ;;
    '--context')
        return
        ;;
    '--cluster')
        return
        ;;
    '--user')
        return
        ;;
    '-n'|'--namespace')
        return
        ;;
    '-s'|'--server')
        return
        ;;
    '--token')
        return
        ;;
    '--as')
        return
        ;;
    '--as-group')
        return
        ;;
    '--certificate-authority')
        return
        ;;
    '--client-certificate')
        return
        ;;
    '--client-key')
        return
        ;;
    '--tls-server-name')
        return
        ;;
    '--request-timeout')
        return
        ;;
    '-v'|'--v')
        return
        ;;
    '-f'|'--filename')
        __meshctl_add_completions -o plusdirs -fX '!*.@(yaml|yml|json)'
        return
        ;;
    '--provider')
        __meshctl_add_completions -W 'istio'$'\n''linkerd'
        return
        ;;
    '--config')
        return
        ;;
    '--routing')
        __meshctl_add_completions -W 'provider'$'\n''gateway-api'
        return
        ;;
    '--dry-run')
        __meshctl_add_completions -W 'none'$'\n''client'$'\n''server'
        return
        ;;
    '--field-manager')
        return
        ;;
    '-o'|'--output')
        __meshctl_add_completions -W 'name'$'\n''json'$'\n''yaml'
        return
        ;;
    esac
}

_meshctl_diff() {
    repeating_flags=()
    non_repeating_flags=(--insecure-skip-tls-verify -R --recursive --force-conflicts --version -h --help)
    repeating_options=(--as-group -f --filename)
    non_repeating_options=(--kubeconfig --context --cluster --user -n --namespace -s --server --token --as --certificate-authority --client-certificate --client-key --tls-server-name --request-timeout -v --v --provider --config --routing --field-manager)
    __meshctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--kubeconfig')
        return
        ;;
    '--context')
        return
        ;;
    '--cluster')
        return
        ;;
    '--user')
        return
        ;;
    '-n'|'--namespace')
        return
        ;;
    '-s'|'--server')
        return
        ;;
    '--token')
        return
        ;;
    '--as')
        return
        ;;
    '--as-group')
        return
        ;;
    '--certificate-authority')
        return
        ;;
    '--client-certificate')
        return
        ;;
    '--client-key')
        return
        ;;
    '--tls-server-name')
        return
        ;;
    '--request-timeout')
        return
        ;;
    '-v'|'--v')
        return
        ;;
    '-f'|'--filename')
        __meshctl_add_completions -o plusdirs -fX '!*.@(yaml|yml|json)'
        return
        ;;
    '--provider')
        __meshctl_add_completions -W 'istio'$'\n''linkerd'
        return
        ;;
    '--config')
        return
        ;;
    '--routing')
        __meshctl_add_completions -W 'provider'$'\n''gateway-api'
        return
        ;;
    '--field-manager')
        return
        ;;
    esac
}

_meshctl_delete() {
    repeating_flags=()
    non_repeating_flags=(--insecure-skip-tls-verify -R --recursive --ignore-not-found --version -h --help)
    repeating_options=(--as-group -f --filename)
    non_repeating_options=(--kubeconfig --context --cluster --user -n --namespace -s --server --token --as --certificate-authority --client-certificate --client-key --tls-server-name --request-timeout -v --v --provider --config --routing --dry-run -o --output)
    __meshctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--kubeconfig')
        return
        ;;
    '--context')
        return
        ;;
    '--cluster')
        return
        ;;
    '--user')
        return
        ;;
    '-n'|'--namespace')
        return
        ;;
    '-s'|'--server')
        return
        ;;
    '--token')
        return
        ;;
    '--as')
        return
        ;;
    '--as-group')
        return
        ;;
    '--certificate-authority')
        return
        ;;
    '--client-certificate')
        return
        ;;
    '--client-key')
        return
        ;;
    '--tls-server-name')
        return
        ;;
    '--request-timeout')
        return
        ;;
    '-v'|'--v')
        return
        ;;
    '-f'|'--filename')
        __meshctl_add_completions -o plusdirs -fX '!*.@(yaml|yml|json)'
        return
        ;;
    '--provider')
        __meshctl_add_completions -W 'istio'$'\n''linkerd'
        return
        ;;
    '--config')
        return
        ;;
    '--routing')
        __meshctl_add_completions -W 'provider'$'\n''gateway-api'
        return
        ;;
    '--dry-run')
        __meshctl_add_completions -W 'none'$'\n''client'$'\n''server'
        return
        ;;
    '-o'|'--output')
        __meshctl_add_completions -W 'name'
        return
        ;;
    esac
}

_meshctl_get() {
    repeating_flags=()
    non_repeating_flags=(--insecure-skip-tls-verify -A --all-namespaces --version -h --help)
    repeating_options=(--as-group)
    non_repeating_options=(--kubeconfig --context --cluster --user -n --namespace -s --server --token --as --certificate-authority --client-certificate --client-key --tls-server-name --request-timeout -v --v -o --output)
    __meshctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--kubeconfig')
        return
        ;;
    '--context')
        return
        ;;
    '--cluster')
        return
        ;;
    '--user')
        return
        ;;
    '-n'|'--namespace')
        return
        ;;
    '-s'|'--server')
        return
        ;;
    '--token')
        return
        ;;
    '--as')
        return
        ;;
    '--as-group')
        return
        ;;
    '--certificate-authority')
        return
        ;;
    '--client-certificate')
        return
        ;;
    '--client-key')
        return
        ;;
    '--tls-server-name')
        return
        ;;
    '--request-timeout')
        return
        ;;
    '-v'|'--v')
        return
        ;;
    '-o'|'--output')
        __meshctl_add_completions -W 'wide'$'\n''json'$'\n''yaml'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __meshctl_add_completions -W 'trafficsplits'$'\n''mtlspolicies'
        return
        ;;
    esac
}

_meshctl_shift() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __meshctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    set|history|status)
        # Offer subcommand argument completions
        "_meshctl_shift_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'set history status' -- "${cur}"))
        ;;
    esac
}

_meshctl_shift_set() {
    repeating_flags=()
    non_repeating_flags=(--insecure-skip-tls-verify --rollback --finish --abandon --dry-run --allow-empty --version -h --help)
    repeating_options=(--as-group --analysis)
    non_repeating_options=(--kubeconfig --context --cluster --user -n --namespace -s --server --token --as --certificate-authority --client-certificate --client-key --tls-server-name --request-timeout -v --v --provider --config --routing --to --weight --steps --interval --gate --gate-timeout --min-requests --prometheus -o --output)
    __meshctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--kubeconfig')
        return
        ;;
    '--context')
        return
        ;;
    '--cluster')
        return
        ;;
    '--user')
        return
        ;;
    '-n'|'--namespace')
        return
        ;;
    '-s'|'--server')
        return
        ;;
    '--token')
        return
        ;;
    '--as')
        return
        ;;
    '--as-group')
        return
        ;;
    '--certificate-authority')
        return
        ;;
    '--client-certificate')
        return
        ;;
    '--client-key')
        return
        ;;
    '--tls-server-name')
        return
        ;;
    '--request-timeout')
        return
        ;;
    '-v'|'--v')
        return
        ;;
    '--provider')
        __meshctl_add_completions -W 'istio'$'\n''linkerd'
        return
        ;;
    '--config')
        return
        ;;
    '--routing')
        __meshctl_add_completions -W 'provider'$'\n''gateway-api'
        return
        ;;
    '--to')
        return
        ;;
    '--weight')
        return
        ;;
    '--steps')
        return
        ;;
    '--interval')
        return
        ;;
    '--gate')
        return
        ;;
    '--gate-timeout')
        return
        ;;
    '--analysis')
        return
        ;;
    '--min-requests')
        return
        ;;
    '--prometheus')
        return
        ;;
    '-o'|'--output')
        __meshctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac
}

_meshctl_shift_history() {
    repeating_flags=()
    non_repeating_flags=(--insecure-skip-tls-verify --version -h --help)
    repeating_options=(--as-group)
    non_repeating_options=(--kubeconfig --context --cluster --user -n --namespace -s --server --token --as --certificate-authority --client-certificate --client-key --tls-server-name --request-timeout -v --v --provider --config --routing)
    __meshctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--kubeconfig')
        return
        ;;
    '--context')
        return
        ;;
    '--cluster')
        return
        ;;
    '--user')
        return
        ;;
    '-n'|'--namespace')
        return
        ;;
    '-s'|'--server')
        return
        ;;
    '--token')
        return
        ;;
    '--as')
        return
        ;;
    '--as-group')
        return
        ;;
    '--certificate-authority')
        return
        ;;
    '--client-certificate')
        return
        ;;
    '--client-key')
        return
        ;;
    '--tls-server-name')
        return
        ;;
    '--request-timeout')
        return
        ;;
    '-v'|'--v')
        return
        ;;
    '--provider')
        __meshctl_add_completions -W 'istio'$'\n''linkerd'
        return
        ;;
    '--config')
        return
        ;;
    '--routing')
        __meshctl_add_completions -W 'provider'$'\n''gateway-api'
        return
        ;;
    esac
}

_meshctl_shift_status() {
    repeating_flags=()
    non_repeating_flags=(--insecure-skip-tls-verify --version -h --help)
    repeating_options=(--as-group)
    non_repeating_options=(--kubeconfig --context --cluster --user -n --namespace -s --server --token --as --certificate-authority --client-certificate --client-key --tls-server-name --request-timeout -v --v --provider --config --routing)
    __meshctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--kubeconfig')
        return
        ;;
    '--context')
        return
        ;;
    '--cluster')
        return
        ;;
    '--user')
        return
        ;;
    '-n'|'--namespace')
        return
        ;;
    '-s'|'--server')
        return
        ;;
    '--token')
        return
        ;;
    '--as')
        return
        ;;
    '--as-group')
        return
        ;;
    '--certificate-authority')
        return
        ;;
    '--client-certificate')
        return
        ;;
    '--client-key')
        return
        ;;
    '--tls-server-name')
        return
        ;;
    '--request-timeout')
        return
        ;;
    '-v'|'--v')
        return
        ;;
    '--provider')
        __meshctl_add_completions -W 'istio'$'\n''linkerd'
        return
        ;;
    '--config')
        return
        ;;
    '--routing')
        __meshctl_add_completions -W 'provider'$'\n''gateway-api'
        return
        ;;
    esac
}

_meshctl_mtls() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __meshctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    status|check|enable)
        # Offer subcommand argument completions
        "_meshctl_mtls_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'status check enable' -- "${cur}"))
        ;;
    esac
}

_meshctl_mtls_status() {
    repeating_flags=()
    non_repeating_flags=(--insecure-skip-tls-verify -A --all-namespaces --version -h --help)
    repeating_options=(--as-group)
    non_repeating_options=(--kubeconfig --context --cluster --user -n --namespace -s --server --token --as --certificate-authority --client-certificate --client-key --tls-server-name --request-timeout -v --v --provider --config -o --output)
    __meshctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--kubeconfig')
        return
        ;;
    '--context')
        return
        ;;
    '--cluster')
        return
        ;;
    '--user')
        return
        ;;
    '-n'|'--namespace')
        return
        ;;
    '-s'|'--server')
        return
        ;;
    '--token')
        return
        ;;
    '--as')
        return
        ;;
    '--as-group')
        return
        ;;
    '--certificate-authority')
        return
        ;;
    '--client-certificate')
        return
        ;;
    '--client-key')
        return
        ;;
    '--tls-server-name')
        return
        ;;
    '--request-timeout')
        return
        ;;
    '-v'|'--v')
        return
        ;;
    '--provider')
        __meshctl_add_completions -W 'istio'$'\n''linkerd'
        return
        ;;
    '--config')
        return
        ;;
    '-o'|'--output')
        __meshctl_add_completions -W 'text'$'\n''json'$'\n''yaml'
        return
        ;;
    esac
}

_meshctl_mtls_check() {
    repeating_flags=()
    non_repeating_flags=(--insecure-skip-tls-verify -A --all-namespaces --version -h --help)
    repeating_options=(--as-group)
    non_repeating_options=(--kubeconfig --context --cluster --user -n --namespace -s --server --token --as --certificate-authority --client-certificate --client-key --tls-server-name --request-timeout -v --v --window --prometheus --provider --config -o --output)
    __meshctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--kubeconfig')
        return
        ;;
    '--context')
        return
        ;;
    '--cluster')
        return
        ;;
    '--user')
        return
        ;;
    '-n'|'--namespace')
        return
        ;;
    '-s'|'--server')
        return
        ;;
    '--token')
        return
        ;;
    '--as')
        return
        ;;
    '--as-group')
        return
        ;;
    '--certificate-authority')
        return
        ;;
    '--client-certificate')
        return
        ;;
    '--client-key')
        return
        ;;
    '--tls-server-name')
        return
        ;;
    '--request-timeout')
        return
        ;;
    '-v'|'--v')
        return
        ;;
    '--window')
        return
        ;;
    '--prometheus')
        return
        ;;
    '--provider')
        __meshctl_add_completions -W 'istio'$'\n''linkerd'
        return
        ;;
    '--config')
        return
        ;;
    '-o'|'--output')
        __meshctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac
}

_meshctl_mtls_enable() {
    repeating_flags=()
    non_repeating_flags=(--insecure-skip-tls-verify --force --force-conflicts --version -h --help)
    repeating_options=(--as-group -l --selector)
    non_repeating_options=(--kubeconfig --context --cluster --user -n --namespace -s --server --token --as --certificate-authority --client-certificate --client-key --tls-server-name --request-timeout -v --v --mode --window --prometheus --provider --config --dry-run --field-manager)
    __meshctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--kubeconfig')
        return
        ;;
    '--context')
        return
        ;;
    '--cluster')
        return
        ;;
    '--user')
        return
        ;;
    '-n'|'--namespace')
        return
        ;;
    '-s'|'--server')
        return
        ;;
    '--token')
        return
        ;;
    '--as')
        return
        ;;
    '--as-group')
        return
        ;;
    '--certificate-authority')
        return
        ;;
    '--client-certificate')
        return
        ;;
    '--client-key')
        return
        ;;
    '--tls-server-name')
        return
        ;;
    '--request-timeout')
        return
        ;;
    '-v'|'--v')
        return
        ;;
    '--mode')
        __meshctl_add_completions -W 'STRICT'$'\n''PERMISSIVE'$'\n''DISABLE'
        return
        ;;
    '-l'|'--selector')
        return
        ;;
    '--window')
        return
        ;;
    '--prometheus')
        return
        ;;
    '--provider')
        __meshctl_add_completions -W 'istio'$'\n''linkerd'
        return
        ;;
    '--config')
        return
        ;;
    '--dry-run')
        __meshctl_add_completions -W 'none'$'\n''client'$'\n''server'
        return
        ;;
    '--field-manager')
        return
        ;;
    esac
}

_meshctl_top() {
    repeating_flags=()
    non_repeating_flags=(--insecure-skip-tls-verify -A --all-namespaces --watch --version -h --help)
    repeating_options=(--as-group)
    non_repeating_options=(--kubeconfig --context --cluster --user -n --namespace -s --server --token --as --certificate-authority --client-certificate --client-key --tls-server-name --request-timeout -v --v --window --prometheus --refresh --provider --config -o --output)
    __meshctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--kubeconfig')
        return
        ;;
    '--context')
        return
        ;;
    '--cluster')
        return
        ;;
    '--user')
        return
        ;;
    '-n'|'--namespace')
        return
        ;;
    '-s'|'--server')
        return
        ;;
    '--token')
        return
        ;;
    '--as')
        return
        ;;
    '--as-group')
        return
        ;;
    '--certificate-authority')
        return
        ;;
    '--client-certificate')
        return
        ;;
    '--client-key')
        return
        ;;
    '--tls-server-name')
        return
        ;;
    '--request-timeout')
        return
        ;;
    '-v'|'--v')
        return
        ;;
    '--window')
        return
        ;;
    '--prometheus')
        return
        ;;
    '--refresh')
        return
        ;;
    '--provider')
        __meshctl_add_completions -W 'istio'$'\n''linkerd'
        return
        ;;
    '--config')
        return
        ;;
    '-o'|'--output')
        __meshctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac
}

_meshctl_check() {
    repeating_flags=()
    non_repeating_flags=(--insecure-skip-tls-verify --pre --version -h --help)
    repeating_options=(--as-group)
    non_repeating_options=(--kubeconfig --context --cluster --user -n --namespace -s --server --token --as --certificate-authority --client-certificate --client-key --tls-server-name --request-timeout -v --v -o --output)
    __meshctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--kubeconfig')
        return
        ;;
    '--context')
        return
        ;;
    '--cluster')
        return
        ;;
    '--user')
        return
        ;;
    '-n'|'--namespace')
        return
        ;;
    '-s'|'--server')
        return
        ;;
    '--token')
        return
        ;;
    '--as')
        return
        ;;
    '--as-group')
        return
        ;;
    '--certificate-authority')
        return
        ;;
    '--client-certificate')
        return
        ;;
    '--client-key')
        return
        ;;
    '--tls-server-name')
        return
        ;;
    '--request-timeout')
        return
        ;;
    '-v'|'--v')
        return
        ;;
    '-o'|'--output')
        __meshctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac
}

_meshctl_schema() {
    repeating_flags=()
    non_repeating_flags=(--insecure-skip-tls-verify --crd --version -h --help)
    repeating_options=(--as-group)
    non_repeating_options=(--kubeconfig --context --cluster --user -n --namespace -s --server --token --as --certificate-authority --client-certificate --client-key --tls-server-name --request-timeout -v --v -o --output)
    __meshctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--kubeconfig')
        return
        ;;
    '--context')
        return
        ;;
    '--cluster')
        return
        ;;
    '--user')
        return
        ;;
    '-n'|'--namespace')
        return
        ;;
    '-s'|'--server')
        return
        ;;
    '--token')
        return
        ;;
    '--as')
        return
        ;;
    '--as-group')
        return
        ;;
    '--certificate-authority')
        return
        ;;
    '--client-certificate')
        return
        ;;
    '--client-key')
        return
        ;;
    '--tls-server-name')
        return
        ;;
    '--request-timeout')
        return
        ;;
    '-v'|'--v')
        return
        ;;
    '-o'|'--output')
        __meshctl_add_completions -W 'json'$'\n''yaml'
        return
        ;;
    esac
}

_meshctl_version() {
    repeating_flags=()
    non_repeating_flags=(--insecure-skip-tls-verify --version -h --help)
    repeating_options=(--as-group)
    non_repeating_options=(--kubeconfig --context --cluster --user -n --namespace -s --server --token --as --certificate-authority --client-certificate --client-key --tls-server-name --request-timeout -v --v -o --output)
    __meshctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--kubeconfig')
        return
        ;;
    '--context')
        return
        ;;
    '--cluster')
        return
        ;;
    '--user')
        return
        ;;
    '-n'|'--namespace')
        return
        ;;
    '-s'|'--server')
        return
        ;;
    '--token')
        return
        ;;
    '--as')
        return
        ;;
    '--as-group')
        return
        ;;
    '--certificate-authority')
        return
        ;;
    '--client-certificate')
        return
        ;;
    '--client-key')
        return
        ;;
    '--tls-server-name')
        return
        ;;
    '--request-timeout')
        return
        ;;
    '-v'|'--v')
        return
        ;;
    '-o'|'--output')
        __meshctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac
}

_meshctl_help() {
    repeating_flags=()
    non_repeating_flags=(--insecure-skip-tls-verify --version --help)
    repeating_options=(--as-group)
    non_repeating_options=(--kubeconfig --context --cluster --user -n --namespace -s --server --token --as --certificate-authority --client-certificate --client-key --tls-server-name --request-timeout -v --v)
    __meshctl_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--kubeconfig')
        return
        ;;
    '--context')
        return
        ;;
    '--cluster')
        return
        ;;
    '--user')
        return
        ;;
    '-n'|'--namespace')
        return
        ;;
    '-s'|'--server')
        return
        ;;
    '--token')
        return
        ;;
    '--as')
        return
        ;;
    '--as-group')
        return
        ;;
    '--certificate-authority')
        return
        ;;
    '--client-certificate')
        return
        ;;
    '--client-key')
        return
        ;;
    '--tls-server-name')
        return
        ;;
    '--request-timeout')
        return
        ;;
    '-v'|'--v')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __meshctl_add_completions -W 'exit-codes'$'\n''rules'$'\n''validate'$'\n''schema'$'\n''version'
        return
        ;;
    esac
}

_meshctl_help() {
    repeating_flags=()
    non_repeating_flags=(--version)
    repeating_options=()
    non_repeating_options=()
    __meshctl_offer_flags_options -1
}

complete -o filenames -F _meshctl meshctl
