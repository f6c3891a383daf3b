# bash completion for meshctl: source <(meshctl completion bash)
# Candidates come from `meshctl __complete WORDS...`: one per line, then :DIRECTIVE
# (cobra's bits: 4 no file completion, 8 only the listed file extensions, 16 only directories).
_meshctl() {
    # bash splits `--flag=value` at "=" (COMP_WORDBREAKS): join the pieces again for meshctl,
    # and complete only the part after "=" (readline's word, $2).
    local cur="${2-${COMP_WORDS[COMP_CWORD]}}" out directive line word joining=0
    local -a words=()
    for word in "${COMP_WORDS[@]:1:COMP_CWORD}"; do
        if [[ "$word" == "=" && "${words[-1]-}" == --* ]]; then
            words[-1]+="="
            joining=1
        elif (( joining )); then
            words[-1]+="$word"
            joining=0
        else
            words+=("$word")
        fi
    done
    out=$("${COMP_WORDS[0]}" __complete "${words[@]}" 2>/dev/null) || return 0
    directive="${out##*:}"
    out="${out%:*}"
    COMPREPLY=()
    local IFS=$'\n'
    if (( directive & 8 )); then
        local pattern=""
        for line in $out; do pattern+="${pattern:+|}*.${line}"; done
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -d -- "$cur") $(compgen -f -X "!@(${pattern})" -- "$cur"))
        return 0
    fi
    if (( directive & 16 )); then
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -d -- "$cur"))
        return 0
    fi
    for line in $out; do
        line="${line%%$'\t'*}"
        [[ -n "$line" ]] || continue
        [[ "$line" == --*=* && "$cur" != --* ]] && line="${line#*=}"
        COMPREPLY+=("$line")
    done
    if (( directive & 4 )); then
        compopt +o default 2>/dev/null
    fi
    return 0
}
shopt -s extglob
complete -o default -F _meshctl meshctl
