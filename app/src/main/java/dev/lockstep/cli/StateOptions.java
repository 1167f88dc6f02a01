package dev.lockstep.cli;

import dev.lockstep.engine.Runs;
import dev.lockstep.journal.StateDir;
import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.LockstepException;
import dev.lockstep.store.LocalStore;
import dev.lockstep.store.PostgresStore;
import dev.lockstep.store.PostgresUrl;
import dev.lockstep.store.StateStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;

/** {@code --state} and {@code --state-dir}: where runs are kept, a folder or a PostgreSQL store shared by a team. */
final class StateOptions {
    String state;

    Path stateDir;

    StateOptions(CommandSpec command) {
        CommandModel.option(command, "--state").label("URL")
                .description("Where runs are kept: postgres://[USER@]HOST[:PORT]/DATABASE[?schema=NAME] for a store shared by a "
                        + "team (password from $PGPASSWORD, $LOCKSTEP_STATE_PASSWORD_FILE or ~/.pgpass), or a folder "
                        + "(default: $LOCKSTEP_STATE, else the state folder).")
                .bind(String.class, () -> state, v -> state = v);
        CommandModel.option(command, "--state-dir").label("DIR")
                .description("Where runs are kept (default: $LOCKSTEP_STATE_DIR, else $XDG_STATE_HOME/lockstep, else ~/.local/state/lockstep).")
                .bind(Path.class, () -> stateDir, v -> stateDir = v);
        HelpSections.group(command, HEADING, command.findOption("--state"));
        HelpSections.group(command, HEADING, command.findOption("--state-dir"));
    }

    private static final String HEADING = "State options:";

    private StateStore opened;

    Runs runs(Cli cli) {
        return new Runs(store(cli), Cli.version());
    }

    /** The store these options name, opened once per command and closed when it ends. */
    StateStore store(Cli cli) {
        if (opened == null) {
            if (state != null && stateDir != null) {
                throw new LockstepException(ErrorCode.USAGE, "--state and --state-dir both say where runs are kept: give one");
            }
            String named = state != null ? state : stateDir == null ? cli.env.get("LOCKSTEP_STATE") : null;
            if (named != null && named.isBlank()) named = null;
            opened = cli.closeAtEnd(open(cli, named, stateDir, state != null ? "--state" : "$LOCKSTEP_STATE"));
        }
        return opened;
    }

    /**
     * Opens a store: {@code named} is a postgres:// URL or a folder (from {@code option}); else {@code dir},
     * else the default folder.
     */
    static StateStore open(Cli cli, String named, Path dir, String option) {
        if (named != null && PostgresUrl.isPostgres(named)) {
            PostgresUrl url = PostgresUrl.parse(named, cli.env);
            cli.maskStoreSecret(url.password());
            return PostgresStore.open(url, lease(cli.env));
        }
        Path folder = named != null ? Path.of(named) : dir != null ? dir : StateDir.defaultPath(cli.env);
        if (named != null) {
            Folders.requireFolderOrNothing(folder, option, option.startsWith("--") ? ErrorCode.USAGE : ErrorCode.IO);
        } else if (dir != null) {
            Folders.requireFolderOrNothing(folder, "--state-dir", ErrorCode.USAGE);
            cli.hintStateDir(folder);
        } else {
            Folders.requireFolderOrNothing(folder, "the state folder", ErrorCode.IO);
        }
        return new LocalStore(new StateDir(folder));
    }

    /** How long a lease lasts unless renewed: {@code $LOCKSTEP_LEASE_SECONDS}, else 30 s. */
    static Duration lease(Map<String, String> env) {
        String text = env.get("LOCKSTEP_LEASE_SECONDS");
        if (text == null || text.isBlank()) return PostgresStore.DEFAULT_LEASE;
        if (text.strip().matches("[0-9]{1,4}")) {
            int seconds = Integer.parseInt(text.strip());
            if (seconds >= 2 && seconds <= 3600) return Duration.ofSeconds(seconds);
        }
        throw new LockstepException(ErrorCode.USAGE, "$LOCKSTEP_LEASE_SECONDS is '" + text + "': expected a whole number of "
                + "seconds from 2 to 3600");
    }
}
