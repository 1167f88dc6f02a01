package dev.lockstep.cli;

import dev.lockstep.demo.DemoPostgres;
import dev.lockstep.demo.NotificationReceiver;
import dev.lockstep.demo.RelayDatabase;
import dev.lockstep.engine.Engine;
import dev.lockstep.engine.ForwardingListener;
import dev.lockstep.engine.Planner;
import dev.lockstep.engine.Run;
import dev.lockstep.engine.RunListener;
import dev.lockstep.engine.RunSnapshot;
import dev.lockstep.engine.Runs;
import dev.lockstep.engine.ShellWords;
import dev.lockstep.engine.Targets;
import dev.lockstep.journal.Event;
import dev.lockstep.journal.EventType;
import dev.lockstep.journal.StateDir;
import dev.lockstep.runbook.Params;
import dev.lockstep.runbook.Runbook;
import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.FileTrees;
import dev.lockstep.spi.LockstepException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Model.CommandSpec;

final class DemoCommand implements Callable<Integer> {
    private static final String RUNBOOK = "runbooks/demo-cutover.yaml";
    /** The name in RUNBOOK, which starts the demo's run ids. */
    private static final String RUNBOOK_NAME = "demo-cutover";
    /** Says how many rows relay.db was made with; gone once the demo changed the file. */
    private static final String STAMP = "relay.rows";
    /** Marks a folder the demo made, so that --clean never removes one it did not (--dir ~, say). */
    private static final String MARKER = ".lockstep-demo";

    private final Cli cli;
    final CommandSpec spec = CommandModel.command(this, "demo", "The cutover on this machine: a relay-shaped SQLite database "
            + "(1 million rows) moved to an embedded PostgreSQL by runbooks/demo-cutover.yaml. Nothing to install; everything "
            + "goes under one folder.");

    Path dir;
    int rows = 1_000_000;
    boolean injectMismatch;
    boolean fresh;
    boolean rollback;
    boolean clean;
    boolean notifyHere;
    Set<String> retry = new LinkedHashSet<>();
    Map<String, String> override = new LinkedHashMap<>();
    final OperatorOptions operator;
    final CiOptions ci;
    final NotifyOptions notify;

    DemoCommand(Cli cli) {
        HelpSections.examples(spec,
                "lockstep demo",
                "lockstep demo --no-tui --yes --rows 10000",
                "lockstep demo --rollback",
                "lockstep demo --clean");
        this.cli = cli;
        CommandModel.option(spec, "--dir").label("DIR").description("Where the demo keeps everything (default: $TMPDIR/lockstep-cutover-demo).")
                .bind(Path.class, () -> dir, v -> dir = v);
        CommandModel.option(spec, "--rows").label("N").description("Rows in the SQLite database, all tables together (default 1000000).")
                .bind(int.class, () -> rows, v -> rows = v);
        CommandModel.option(spec, "--inject-mismatch")
                .description("Change the source after the copy, as a relay that was not stopped would: the verify step halts.")
                .bind(boolean.class, () -> injectMismatch, v -> injectMismatch = v);
        CommandModel.option(spec, "--new").description("Start a new run even if the last one did not finish.")
                .bind(boolean.class, () -> fresh, v -> fresh = v);
        CommandModel.option(spec, "--rollback")
                .description("Roll back the last demo run (needs --yes without a terminal), instead of running.")
                .bind(boolean.class, () -> rollback, v -> rollback = v);
        CommandModel.option(spec, "--notify-here")
                .description("Start a notification receiver on this machine's loopback and send it the run's notifications "
                        + "(as --notify would a chat's webhook); each is kept as a JSON line in the demo folder's notifications.jsonl.")
                .bind(boolean.class, () -> notifyHere, v -> notifyHere = v);
        CommandModel.option(spec, "--clean").description("Remove the demo folder and everything in it, then exit.")
                .bind(boolean.class, () -> clean, v -> clean = v);
        // As lockstep resume's: the demo's halt hints name them, and resume itself cannot open the demo's database.
        CommandModel.option(spec, "--retry").label("STEP").description("Retry the unfinished run's failed or halted step.")
                .bindSet(() -> retry, v -> retry = v);
        CommandModel.option(spec, "--override").label("STEP=STEP")
                .description("Accept the unfinished run's halted step; type its id as the value.")
                .bindPairs(() -> override, v -> override = v);
        operator = new OperatorOptions(spec);
        ci = new CiOptions(spec);
        notify = new NotifyOptions(spec);
    }

    @Override
    public Integer call() throws IOException, SQLException {
        Path home = dir != null ? dir : defaultHome(cli.env);
        cli.hintDemo(RUNBOOK_NAME, "lockstep demo" + dirOption(home), home.resolve("state"));
        Folders.requireFolderOrNothing(home, "--dir", ErrorCode.USAGE);
        if (clean) {
            if (Files.exists(home) && !isDemoFolder(home)) throw notADemoFolder(home);
            FileTrees.delete(home);
            cli.out.println("removed " + home);
            return 0;
        }
        if (rows < 3) throw new LockstepException(ErrorCode.USAGE, "--rows must be at least 3");
        if (operator.yes) operator.confirm.putIfAbsent("switch", "relay");
        Runbook runbook = cli.loader().load(installed(RUNBOOK));
        operator.requireSteps(runbook);
        OperatorOptions.requireSteps(runbook, "--retry", retry);
        OperatorOptions.requireSteps(runbook, "--override", override.keySet());
        // A demo on this machine: no cloud's options in its help, and none on its command line.
        Targets targets = TargetOptions.fromEnvironment(cli, runbook);
        if (Files.exists(home) && !isDemoFolder(home)) throw notADemoFolder(home);
        try {
            Files.createDirectories(home);
            if (!Files.exists(home.resolve(MARKER))) Files.createFile(home.resolve(MARKER));
        } catch (IOException e) {
            throw new LockstepException(ErrorCode.IO, "cannot create the demo folder " + home + ": " + e.getMessage());
        }
        cli.out.println(folderLine(home));
        Path sqlite = home.resolve("relay.db");
        int code;
        try (DemoPostgres pg = DemoPostgres.start(home);
                NotificationReceiver receiver = notifyHere ? NotificationReceiver.start(home.resolve("notifications.jsonl")) : null) {
            cli.out.println("embedded PostgreSQL: " + pg.jdbcUrl());
            if (receiver != null) {
                notify.add(receiver.url());
                cli.out.println("notification receiver: " + receiver.url() + " (kept in " + receiver.file() + ")");
            }
            Frontend frontend = Frontend.choose(cli, operator, Set.of(), ci, notify);
            RunListener listener = injectMismatch ? new WriteBehindTheCopy(frontend.listener(), home) : frontend.listener();
            Runs runs = new Runs(new StateDir(home.resolve("state")), Cli.version());
            Optional<RunSnapshot> unfinished = fresh ? Optional.empty() : runs.latestUnfinished(runbook.name());
            if (rollback && unfinished.isEmpty()) {
                throw new LockstepException(ErrorCode.NOT_FOUND, "no unfinished demo run to roll back in " + home);
            }
            if ((!retry.isEmpty() || !override.isEmpty()) && unfinished.isEmpty()) {
                throw new LockstepException(ErrorCode.USAGE, "--retry and --override go on with an unfinished demo run, and "
                        + home + " has none");
            }
            if (unfinished.isEmpty()) generate(cli, home);
            // The demo's own values, on a new run and on a reopened one alike (the port and password are kept in its folder).
            Map<String, String> values = Map.of("sqlite", sqlite.toString(), "pg_url", pg.jdbcUrl(),
                    "app_config", home.resolve("relay.conf").toString());
            Map<String, Object> password = Map.of("db_password", pg.password());
            if (rollback && !frontend.isTui() && !operator.yes) {
                // Says what it would do, and leaves the run as it is: nothing is recorded without --yes.
                RunSnapshot snapshot = unfinished.get();
                Params params = Params.resolve(runbook, values, password, cli.env, d -> null);
                RollbackCommand.print(cli.out, snapshot.runId(), new Planner(cli.types())
                        .rollbackPreview(runbook, cli.masking(params), targets, snapshot, snapshot.outputsByStep()));
                throw new LockstepException(ErrorCode.NEEDS_OPERATOR, "rollback not confirmed: pass --yes to roll back");
            }
            Run run;
            if (unfinished.isPresent()) {
                run = runs.reopen(unfinished.get().runId(), p -> runbook,
                        (rb, snap) -> cli.masking(Params.resolve(rb, values, password, cli.env, d -> null)),
                        listener, "lockstep demo", false, false);
            } else {
                pg.reset();
                run = runs.start(runbook, cli.masking(Params.resolve(runbook, values, password, cli.env, d -> null)), listener,
                        "lockstep demo", true);
            }
            Engine engine = new Engine(run, cli.types(), frontend.operator(), targets);
            try {
                retry.forEach(engine::retry);
                override.forEach(engine::override);
            } catch (RuntimeException e) {
                run.close();
                throw e;
            }
            code = frontend.drive(engine, rollback && !frontend.isTui() ? Engine::rollback : Engine::forward);
            if (receiver != null) cli.out.println("notifications received: " + receiver.received() + " in " + receiver.file());
        }
        cli.out.println(folderLine(home));
        return code;
    }

    /** Where the demo keeps everything, how to look at its runs, and how to remove it all. */
    private String folderLine(Path home) {
        return cli.hint("demo folder: " + home + "  (runs: lockstep runs; remove it all: lockstep demo" + dirOption(home) + " --clean)");
    }

    /** The --dir that brings a later command to this demo's folder, when it is not the default one. */
    private String dirOption(Path home) {
        return dir != null ? " --dir " + ShellWords.quote(home.toString()) : "";
    }


    /** $TMPDIR/lockstep-cutover-demo, as on every Unix tool; Java's own temporary folder when TMPDIR is not set. */
    static Path defaultHome(Map<String, String> env) {
        String tmp = env.get("TMPDIR");
        return Path.of(tmp != null && !tmp.isBlank() ? tmp : System.getProperty("java.io.tmpdir"), "lockstep-cutover-demo");
    }

    /** A file of the installation (the launcher says where it is), else of the current folder. */
    static Path installed(String relative) {
        return Path.of(System.getProperty("lockstep.home", ".")).resolve(relative);
    }

    /** Makes the SQLite database unless one of the asked size, unchanged since it was made, is there. */
    private void generate(Cli cli, Path home) throws IOException, SQLException {
        Path sqlite = home.resolve("relay.db");
        Path stamp = home.resolve(STAMP);
        if (Files.exists(sqlite) && Files.exists(stamp) && Files.readString(stamp).trim().equals(String.valueOf(rows))) {
            return;
        }
        RelayDatabase.Shape shape = RelayDatabase.Shape.of(rows);
        long t0 = System.nanoTime();
        RelayDatabase.generate(sqlite, shape);
        Files.writeString(stamp, String.valueOf(rows));
        cli.out.printf("generated %s: %,d events, %,d event_tags, %,d kv in %.1fs%n", sqlite, shape.events(), shape.tags(),
                shape.kv(), (System.nanoTime() - t0) / 1e9);
    }

    /** Empty, or made by the demo (marked; or, from before the mark, holding its database and state). */
    private static boolean isDemoFolder(Path home) throws IOException {
        try (Stream<Path> s = Files.list(home)) {
            if (s.findAny().isEmpty()) return true;
        }
        return Files.exists(home.resolve(MARKER))
                || (Files.exists(home.resolve("relay.db")) && Files.isDirectory(home.resolve("state")));
    }

    private static LockstepException notADemoFolder(Path home) {
        return new LockstepException(ErrorCode.USAGE, "--dir " + home + " holds files the demo did not make: "
                + "give a new or empty folder (the demo keeps everything there, and --clean removes it all)");
    }

    /** Plays a relay that kept writing: once the copy is done, the source changes under it. */
    private static final class WriteBehindTheCopy extends ForwardingListener {
        private final Path home;

        WriteBehindTheCopy(RunListener inner, Path home) {
            super(inner);
            this.home = home;
        }

        @Override
        public void event(Event e, Duration stepTook) {
            inner.event(e, stepTook);
            if (e.type() == EventType.STEP_SUCCEEDED && "copy".equals(e.step())) {
                try {
                    Files.deleteIfExists(home.resolve(STAMP));
                    RelayDatabase.writeBehindTheCopy(home.resolve("relay.db"));
                    inner.notice("--inject-mismatch: the source changed after the copy (a relay that was not stopped)");
                } catch (SQLException | IOException ex) {
                    inner.notice("--inject-mismatch could not change the source: " + ex.getMessage());
                }
            }
        }
    }
}
