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
