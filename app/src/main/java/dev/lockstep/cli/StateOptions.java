package dev.lockstep.cli;

import dev.lockstep.engine.Runs;
import dev.lockstep.journal.StateDir;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --state-dir}: where journals and locks live. */
final class StateOptions {
    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Where runs are kept (default: $LOCKSTEP_STATE_DIR, else $XDG_STATE_HOME/lockstep, else ~/.local/state/lockstep).")
    Path stateDir;

    Runs runs(Cli cli) {
        return new Runs(new StateDir(stateDir != null ? stateDir : StateDir.defaultPath(cli.env)), Cli.version());
    }
}
