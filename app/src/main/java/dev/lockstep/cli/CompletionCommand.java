package dev.lockstep.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Model.CommandSpec;

final class CompletionCommand implements Callable<Integer> {
    enum Shell { BASH, ZSH }

    private final Cli cli;
    final CommandSpec spec = CommandModel.command(this, "completion", "Print the shell completion script, generated from the "
            + "commands themselves: source <(lockstep completion bash) in ~/.bashrc, or source <(lockstep completion zsh) in ~/.zshrc.");

    Shell shell;

    CompletionCommand(Cli cli) {
        HelpSections.examples(spec, "lockstep completion bash", "lockstep completion zsh");
        this.cli = cli;
        CommandModel.positional(spec, "0", "SHELL").description("bash or zsh.").bind(Shell.class, () -> shell, v -> shell = v);
    }

    @Override
    public Integer call() {
        // picocli's script serves both: under zsh it loads bashcompinit first.
        cli.out.print(AutoComplete.bash("lockstep", spec.root().commandLine()));
        return 0;
    }
}
