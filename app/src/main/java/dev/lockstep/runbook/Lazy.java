package dev.lockstep.runbook;

import java.util.function.Supplier;

/**
 * A value computed the first time it is asked for. Digests are: only starting, resuming or
 * saving a plan needs them, and the first SHA-256 of a process costs more than validating a
 * runbook (the security providers load), which {@code validate} and {@code plan} need not pay.
 */
public final class Lazy<T> implements Supplier<T> {
    private Supplier<T> compute;
    private T value;

    private Lazy(Supplier<T> compute, T value) {
        this.compute = compute;
        this.value = value;
    }

    public static <T> Lazy<T> of(Supplier<T> compute) {
        return new Lazy<>(compute, null);
    }

    public static <T> Lazy<T> known(T value) {
        return new Lazy<>(null, value);
    }

    @Override
    public synchronized T get() {
        if (compute != null) {
            value = compute.get();
            compute = null;
        }
        return value;
    }
}
