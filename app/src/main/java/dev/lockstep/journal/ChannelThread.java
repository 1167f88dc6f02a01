package dev.lockstep.journal;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The one thread that touches a file's channel. A FileChannel is closed for good when a thread
 * using it is interrupted (and a journal's lock goes with it), and lockstep interrupts a step's
 * worker by design (a haltOn line, a timeout, Ctrl-C) while that worker still journals and logs.
 * Nothing interrupts this thread; callers wait for it uninterruptibly and keep their interrupt
 * status. The thread starts with the first call and ends with {@link #close}.
 */
public final class ChannelThread implements AutoCloseable {
    private final ExecutorService thread;

    public ChannelThread(String name) {
        thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** File work that may fail. */
    public interface Io<T> {
        T run() throws IOException;
    }

    /** Runs {@code io} on this thread and returns what it returned, or throws what it threw. */
    public <T> T call(Io<T> io) throws IOException {
        CompletableFuture<T> done = new CompletableFuture<>();
        thread.execute(() -> {
            try {
                done.complete(io.run());
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        });
        try {
            return done.join(); // not interruptible
        } catch (CompletionException e) {
            if (e.getCause() instanceof IOException failed) throw failed;
            if (e.getCause() instanceof RuntimeException failed) throw failed;
            if (e.getCause() instanceof Error failed) throw failed;
            throw e;
        }
    }

    @Override
    public void close() {
        thread.shutdown();
    }
}
