package dev.lockstep.engine;

import dev.lockstep.expr.Scope;
import dev.lockstep.journal.LocalClock;
import dev.lockstep.runbook.StepDef;
import dev.lockstep.secret.Redactor;
import dev.lockstep.spi.Check;
import dev.lockstep.store.StepLog;
import java.io.IOException;
import java.nio.file.Path;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The context of one execution of a step (or of a check or rollback on its behalf).
 * Every output line is masked, written to the step's log in the run's store, shown to listeners,
 * and matched against {@code haltOn}/{@code until}; a match stops the worker. Notes, lockstep's
 * own lines, are masked, written and shown, never matched.
 */
final class StepRun implements dev.lockstep.spi.StepContext {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
    private static final String NOTE = "[lockstep] ";

    private final StepDef step;
    private final String prefix;
    private final Path workDir;
    private final Map<String, String> env;
    private final dev.lockstep.spi.Settings settings;
    private final Redactor redactor;
    private final RunListener listener;
    private final StepLog log;
    private final StepDef.LogPatterns patterns;
    private final Map<String, String> externalIds;
    private final ExternalIdSink externalIdSink;
    private final Engine.Checks checks;
    private final Scope scope;
    private final Operator operator;
    private volatile Thread worker;
    private volatile String haltReason;
    private volatile String timedOut;
    private volatile String haltLine;
    private volatile String untilLine;
    private final java.util.Set<Pattern> required = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** The step's type finishes by itself after an until line (its exit code decides), so the line does not stop it. */
    private final boolean runsPastUntil;
    private int linesNotLogged;
    private boolean logClosed;

    /** Journals external ids; dry-run keeps them in memory only. */
    interface ExternalIdSink {
        void record(String key, String value);
    }

    StepRun(StepDef step, String prefix, Path workDir, dev.lockstep.spi.Settings settings, Map<String, String> env, Redactor redactor,
            RunListener listener, LogOpener logOpener, StepDef.LogPatterns patterns, Map<String, String> externalIds,
            ExternalIdSink externalIdSink, Engine.Checks checks, Scope scope, Operator operator, boolean runsPastUntil) {
        this.step = step;
        this.prefix = prefix;
        this.workDir = workDir;
        this.env = env;
        this.settings = settings;
        this.redactor = redactor;
        this.listener = listener;
        this.patterns = patterns;
        this.externalIds = new LinkedHashMap<>(externalIds);
        this.externalIdSink = externalIdSink;
        this.checks = checks;
        this.scope = scope;
        this.operator = operator;
        this.runsPastUntil = runsPastUntil;
        this.log = logOpener == null ? null : openLog(logOpener, listener, step.id());
    }

    /** Opens the log a step's output goes to; a dry run has none. */
    interface LogOpener {
        StepLog open() throws IOException;
    }

    private static StepLog openLog(LogOpener opener, RunListener listener, String stepId) {
        try {
            return opener.open();
        } catch (IOException e) {
            listener.notice("cannot open the log of step " + stepId + " (" + e.getMessage()
                    + "); its output is still shown, but not kept");
            return null;
        }
    }

    void bindWorker(Thread t) {
        this.worker = t;
    }

    @Override
    public String stepId() {
        return step.id();
    }

    @Override
    public Path workDir() {
        return workDir;
    }

    @Override
    public dev.lockstep.spi.Settings settings() {
        return settings;
    }

    @Override
    public Map<String, String> env() {
        return env;
    }

    @Override
    public Object resolve(String template) {
        return dev.lockstep.expr.Resolver.resolveText(template, scope);
    }

    @Override
    public void line(String text) {
        String shown = show(text);
        if (haltLine != null) return;
        for (Pattern p : patterns.require()) {
            if (!required.contains(p) && p.matcher(text).find()) required.add(p);
        }
        for (Pattern p : patterns.haltOn()) {
            if (p.matcher(text).find()) {
                halt(shown, "output matched haltOn /" + p.pattern() + "/");
                return;
            }
        }
        for (StepDef.Every e : patterns.every()) {
            if (e.lines().matcher(text).find() && !e.must().matcher(text).find()) {
                halt(shown, "output matched logs.every lines /" + e.lines().pattern() + "/ but not its must /"
                        + e.must().pattern() + "/");
                return;
            }
        }
        if (untilLine == null && patterns.until() != null && patterns.until().matcher(text).find()) {
            untilLine = shown;
            if (!runsPastUntil) stopWorker();
        }
    }

    private void halt(String shown, String reason) {
        haltLine = shown;
        haltReason = reason;
        stopWorker();
    }

    @Override
    public void note(String text) {
        show(NOTE + text);
    }

    /** A line of lockstep's that parts the log (an attempt's start), as it is: no prefix, no patterns. */
    void mark(String text) {
        show(text);
    }

    /** Masks a line, logs it and shows it; returns it as shown. */
    private String show(String text) {
        String shown = redactor.redact(text);
        writeLog(shown);
        CrashPoint.logged(shown);
        listener.line(step.id(), prefix + shown);
        return shown;
    }

    /** The {@code logs.require} patterns no line has matched yet. */
    List<String> missingRequired() {
        return patterns.require().stream().filter(p -> !required.contains(p)).map(p -> "/" + p.pattern() + "/").toList();
    }

    /** A full disk is said once, not once per line; {@link #close} says how many lines the log missed. */
    private synchronized void writeLog(String shown) {
        if (log == null || logClosed) return;
        if (linesNotLogged > 0) {
            linesNotLogged++;
            return;
        }
        try {
            log.write(LocalClock.now().format(TIME) + " " + prefix + shown);
        } catch (IOException e) {
            linesNotLogged = 1;
            listener.notice("cannot write the log of step " + step.id() + " (" + e.getMessage()
                    + "); its output is still shown, but not kept");
        }
    }

    private void stopWorker() {
        Thread w = worker;
        if (w != null) w.interrupt();
    }

    @Override
    public synchronized void recordExternalId(String key, String value) {
        externalIds.put(key, value);
        externalIdSink.record(key, value);
    }

    @Override
    public Map<String, String> externalIds() {
        return externalIds;
    }

    @Override
    public CheckOutcome evaluate(Check check) throws Exception {
        return checks.evaluate(check, scope, step);
    }

    @Override
    public boolean askOperator(String instructions) {
        return operator.manual(step, redactor.redact(instructions));
    }

    String haltReason() {
        return haltReason;
    }

    @Override
    public String halting() {
        return haltReason;
    }

    @Override
    public String stopping() {
        return haltReason != null ? haltReason : timedOut;
    }

    /** The step ran past its timeout and is being stopped: {@link #stopping} says so from now on. */
    void timingOut(String why) {
        timedOut = why;
    }

    String haltLine() {
        return haltLine;
    }

    String untilLine() {
        return untilLine;
    }

    void close() {
        if (log == null) return;
        synchronized (this) {
            // A pump of a stopped step may still say its stream closed: shown, but the log is gone.
            logClosed = true;
            if (linesNotLogged > 0) {
                listener.notice(linesNotLogged + " line(s) of step " + step.id() + " could not be written to its log");
            }
        }
        try {
            log.close();
        } catch (IOException e) {
            if (linesNotLogged == 0) listener.notice("cannot close the log of step " + step.id() + ": " + e.getMessage());
        }
    }
}
