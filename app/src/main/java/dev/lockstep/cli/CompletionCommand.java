package dev.lockstep.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "completion", description = "Print the shell completion script, generated from the commands themselves: "
        + "source <(lockstep completion bash) in ~/.bashrc, or source <(lockstep completion zsh) in ~/.zshrc.")
final class CompletionCommand implements Callable<Integer> {
    enum Shell { BASH, ZSH }

    @ParentCommand
    RootCommand root;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SHELL", description = "bash or zsh.")
    Shell shell;

    @Override
    public Integer call() {
        // picocli's script serves both: under zsh it loads bashcompinit first.
        root.cli.out.print(AutoComplete.bash("lockstep", spec.root().commandLine()));
        return 0;
    }
}
