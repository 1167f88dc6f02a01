package dev.lockstep.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

final class CompletionCommand implements Callable<Integer> {
    enum Shell { BASH, ZSH }

    private final Cli cli;
    final CommandSpec spec = CommandModel.command(this, "completion", "Print the shell completion script, generated from the "
            + "commands themselves: source <(lockstep completion bash) in ~/.bashrc, or source <(lockstep completion zsh) in ~/.zshrc. "
            + "Run ids and step ids are completed from the state store the line names.");

    Shell shell;

    CompletionCommand(Cli cli) {
        HelpSections.examples(spec, "lockstep completion bash", "lockstep completion zsh");
        this.cli = cli;
        CommandModel.positional(spec, "0", "SHELL").description("bash or zsh.").bind(Shell.class, () -> shell, v -> shell = v);
    }

    @Override
    public Integer call() {
        // picocli's script serves both: under zsh it loads bashcompinit first.
        CommandLine top = spec.root().commandLine();
        cli.out.print(AutoComplete.bash("lockstep", top));
        cli.out.print(runsAndSteps(top));
        return 0;
    }

    /**
     * The part picocli cannot generate: a RUN_ID offers the runs of the store the line names, and an option naming a
     * step (--rerun, --confirm, …) the steps of the run it names, both listed by {@code lockstep __complete}. Everything
     * else goes to picocli's {@code _complete_lockstep}. What each command takes is written out from the model.
     */
    static String runsAndSteps(CommandLine top) {
        StringBuilder model = new StringBuilder();
        describe(top, "", model);
        return """

                # What each command takes, from its model: subcommands, options that take a value, whether a RUN_ID
                # follows, options naming a run, options naming a step (or STEP=...).
                function _lockstep_model() {
                  subs=""; valued=""; takes_run=""; run_opts=""; step_opts=""; step_pairs=""
                  case "$1" in
                %s  esac
                }

                # The value from COMP_WORDS[$1] on, as typed, in value, and its last word's index in value_end: bash splits
                # --state postgres://host/db?schema=x at : and =. (Sets variables: zsh has no mapfile to read two lines.)
                function _lockstep_value() {
                  value_end=$1
                  value=${COMP_WORDS[$1]}
                  while [[ ${COMP_WORDS[value_end+1]} == ":" || ${COMP_WORDS[value_end+1]} == "=" ]] && (( value_end + 2 < COMP_CWORD )); do
                    value+=${COMP_WORDS[value_end+1]}${COMP_WORDS[value_end+2]}
                    (( value_end += 2 ))
                  done
                }

                # Run ids and step ids from the store named on the line (lockstep __complete, run as the line names lockstep);
                # the rest as picocli generates it.
                function _lockstep() {
                  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
                  local command_path="" run="" word i subs valued takes_run run_opts step_opts step_pairs
                  local -a state=()
                  local value value_end
                  _lockstep_model ""
                  for (( i = 1; i < COMP_CWORD; i++ )); do
                    word=${COMP_WORDS[i]}
                    if [[ $word == --state || $word == --state-dir ]]; then
                      [[ ${COMP_WORDS[i+1]} == "=" ]] && (( i++ ))
                      (( i + 1 < COMP_CWORD )) || break
                      _lockstep_value $((i + 1))
                      state=("$word" "$value")
                      (( i = value_end ))
                    elif [[ $word == -* ]]; then
                      [[ " $valued " == *" $word "* ]] && (( i++ ))
                      [[ ${COMP_WORDS[i]} == "=" ]] && (( i++ ))
                    elif [[ " $subs " == *" $word "* ]]; then
                      command_path=${command_path:+$command_path }$word
                      _lockstep_model "$command_path"
                    elif [[ -n $takes_run && -z $run ]]; then
                      run=$word
                    fi
                  done
                  if [[ -n $takes_run && " $step_opts $step_pairs " == *" $prev "* ]]; then
                    local steps
                    steps=$("${COMP_WORDS[0]}" __complete steps ${run:+"$run"} "${state[@]}" 2>/dev/null)
                    if [[ -n $steps && " $step_pairs " == *" $prev "* ]]; then
                      type compopt &>/dev/null && compopt -o nospace 2>/dev/null
                      steps=$(printf '%%s\\n' "$steps" | sed 's/$/=/')
                    fi
                    local IFS=$'\\n'
                    COMPREPLY=( $(compgen -W "$steps" -- "$cur") )
                    return 0
                  fi
                  if [[ " $run_opts " == *" $prev "* ]] || [[ -n $takes_run && -z $run && $cur != -* && " $valued " != *" $prev "* ]]; then
                    local IFS=$'\\n'
                    COMPREPLY=( $(compgen -W "$("${COMP_WORDS[0]}" __complete runs "${state[@]}" 2>/dev/null)" -- "$cur") )
                    return 0
                  fi
                  _complete_lockstep
                }

                complete -F _lockstep -o default lockstep
                """.formatted(model);
    }

    /** One case of {@code _lockstep_model} for {@code command} (at {@code path}), then one for each command under it. */
    private static void describe(CommandLine command, String path, StringBuilder out) {
        CommandSpec spec = command.getCommandSpec();
        List<String> subs = new ArrayList<>();
        command.getSubcommands().forEach((name, sub) -> {
            if (!sub.getCommandSpec().usageMessage().hidden()) subs.add(name);
        });
        List<String> valued = new ArrayList<>();
        List<String> steps = new ArrayList<>();
        List<String> stepPairs = new ArrayList<>();
        List<String> runs = new ArrayList<>();
        for (OptionSpec o : spec.options()) {
            if (o.arity().max() == 0) continue;
            valued.addAll(List.of(o.names()));
            if (o.paramLabel().equals("RUN_ID")) runs.addAll(List.of(o.names()));
            else if (o.paramLabel().equals("STEP")) steps.addAll(List.of(o.names()));
            else if (o.paramLabel().startsWith("STEP=")) stepPairs.addAll(List.of(o.names()));
        }
        boolean takesRun = spec.positionalParameters().stream().map(PositionalParamSpec::paramLabel).anyMatch("RUN_ID"::equals);
        out.append("    \"").append(path).append("\") subs=\"").append(String.join(" ", subs)).append("\"; valued=\"")
                .append(String.join(" ", valued)).append("\"; takes_run=\"").append(takesRun ? "1" : "").append("\"; run_opts=\"").append(String.join(" ", runs)).append("\"; step_opts=\"")
                .append(String.join(" ", steps)).append("\"; step_pairs=\"").append(String.join(" ", stepPairs)).append("\";;\n");
        command.getSubcommands().forEach((name, sub) -> {
            if (!sub.getCommandSpec().usageMessage().hidden()) describe(sub, path.isEmpty() ? name : path + " " + name, out);
        });
    }
}
