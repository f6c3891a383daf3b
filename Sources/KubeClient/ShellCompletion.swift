/// The completion scripts: each hands the words before the cursor to `meshctl __complete` and
/// turns its answer (cobra's protocol: one candidate per line, then `:DIRECTIVE`) into the
/// shell's candidates.
public enum CompletionScripts {
  /// The shells there is a script for.
  public enum Shell: String, CaseIterable, Sendable {
    case bash, zsh, fish
  }

  /// The script for `shell`.
  public static func script(for shell: Shell) -> String {
    switch shell {
    case .bash: return bash
    case .zsh: return zsh
    case .fish: return fish
    }
  }

  public static let bash = #"""
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

    """#

  public static let zsh = #"""
    #compdef meshctl
    # zsh completion for meshctl: meshctl completion zsh > "${fpath[1]}/_meshctl"
    # Candidates come from `meshctl __complete WORDS...`: one per line, then :DIRECTIVE
    # (cobra's bits: 4 no file completion, 8 only the listed file extensions, 16 only directories).
    _meshctl() {
        local out directive
        local -a lines values
        out=$("${words[1]}" __complete "${(@)words[2,CURRENT]}" 2>/dev/null) || return 1
        lines=("${(@f)out}")
        directive=${lines[-1]#:}
        lines=("${(@)lines[1,-2]}")
        if (( directive & 8 )); then
            _files -g "*.(${(j:|:)lines})"
            return
        fi
        if (( directive & 16 )); then
            _files -/
            return
        fi
        values=("${(@)lines%%$'\t'*}")
        values=("${(@)values:#}")
        if (( ${#values} )); then
            compadd -- "${(@)values}"
        elif (( ! (directive & 4) )); then
            _files
        fi
    }
    if [[ "${funcstack[1]}" == "_meshctl" ]]; then
        _meshctl "$@"
    else
        compdef _meshctl meshctl
    fi

    """#

  public static let fish = #"""
    # fish completion for meshctl: meshctl completion fish > ~/.config/fish/completions/meshctl.fish
    # Candidates come from `meshctl __complete WORDS...`: one per line, then :DIRECTIVE
    # (cobra's bits: 4 no file completion, 8 only the listed file extensions, 16 only directories).
    function __meshctl_complete
        set -l words (commandline -opc)
        set -l current (commandline -ct)
        set -l out ($words[1] __complete $words[2..-1] "$current" 2>/dev/null)
        or return
        set -l directive (string replace -r '^:' '' -- $out[-1])
        set -e out[-1]
        if test (math "bitand($directive, 8)") -ne 0
            for path in (__fish_complete_path "$current")
                set -l name (string split -m 1 \t -- $path)[1]
                if string match -q -- '*/' $name
                    echo $name
                    continue
                end
                for extension in $out
                    string match -q -- "*.$extension" $name; and echo $name
                end
            end
            return
        end
        if test (math "bitand($directive, 16)") -ne 0
            __fish_complete_directories "$current"
            return
        end
        if test (count $out) -eq 0; and test (math "bitand($directive, 4)") -eq 0
            __fish_complete_path "$current"
            return
        end
        printf '%s\n' $out
    end
    complete -c meshctl -f -a '(__meshctl_complete)'

    """#
}

/// cobra's completion protocol, which the scripts (`meshctl __complete WORDS...`) and kubectl's
/// plugin completion (`kubectl_complete-mesh WORDS...`, kubectl 1.26 and later) both speak: the
/// words so far, the last one the word being completed (empty after a space); the answer is one
/// candidate per line (`value<TAB>description`), then `:DIRECTIVE`.
public enum CompletionProtocol {
  /// The first argument that asks for completions.
  public static let request = "__complete"

  /// cobra's `ShellCompDirective` bits meshctl uses.
  public enum Directive: Int, Sendable {
    /// Let the shell complete file names.
    case files = 0
    /// Offer only the candidates: no file names.
    case noFiles = 4
    /// File names with the extensions listed as candidates.
    case fileExtensions = 8
    /// Directory names only.
    case directories = 16
  }

  /// The executable name kubectl runs for `kubectl mesh <TAB>`: kubectl (1.26 and later) runs
  /// `kubectl_complete-mesh WORDS...` from PATH, without `__complete`, and reads cobra's answer.
  public static let kubectlPluginExecutable = "kubectl_complete-mesh"

  /// The arguments to run: a completion request when the program was started as
  /// `kubectl_complete-*` (a link to meshctl), else `arguments` as they are.
  public static func arguments(executable: String, _ arguments: [String]) -> [String] {
    let base = executable.split(separator: "/").last.map(String.init) ?? executable
    guard base.hasPrefix("kubectl_complete-"), arguments.first != request else { return arguments }
    return [request] + arguments
  }

  /// The answer cobra's scripts read: each candidate on its own line, then `:DIRECTIVE`.
  public static func encode(_ candidates: [String], _ directive: Directive) -> String {
    candidates.map { $0 + "\n" }.joined() + ":\(directive.rawValue)\n"
  }
}
