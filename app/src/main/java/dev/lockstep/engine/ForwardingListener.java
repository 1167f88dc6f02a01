package dev.lockstep.engine;

import dev.lockstep.journal.Event;
import dev.lockstep.store.TakenOver;
import java.time.Duration;

/** A listener that passes everything on to the one that shows the run; a subclass adds what it does on top. */
public abstract class ForwardingListener implements RunListener {
    protected final RunListener inner;

    protected ForwardingListener(RunListener inner) {
        this.inner = inner;
    }

    @Override
    public void event(Event e) {
        event(e, null);
    }

    @Override
    public void event(Event e, Duration stepTook) {
        inner.event(e, stepTook);
    }

    @Override
    public void line(String stepId, String text) {
        inner.line(stepId, text);
    }

    @Override
    public void notice(String text) {
        inner.notice(text);
    }

    @Override
    public void windowAtRisk(String text) {
        inner.windowAtRisk(text);
    }

    @Override
    public void takenOver(TakenOver by) {
        inner.takenOver(by);
    }
}
