package dev.lockstep.cli;

import dev.lockstep.engine.Runs;
import dev.lockstep.error.ErrorCode;
import dev.lockstep.journal.StateDir;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --state-dir}: where journals and locks live. */
final class StateOptions {
    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Where runs are kept (default: $LOCKSTEP_STATE_DIR, else $XDG_STATE_HOME/lockstep, else ~/.local/state/lockstep).")
    Path stateDir;

    Runs runs(Cli cli) {
        Path dir = stateDir != null ? stateDir : StateDir.defaultPath(cli.env);
        if (stateDir != null) {
            Folders.requireFolderOrNothing(dir, "--state-dir", ErrorCode.USAGE);
            cli.hintStateDir(dir);
        } else {
            Folders.requireFolderOrNothing(dir, "the state folder", ErrorCode.IO);
        }
        return new Runs(new StateDir(dir), Cli.version());
    }
}
