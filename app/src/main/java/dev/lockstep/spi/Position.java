package dev.lockstep.spi;

/** Where something stands in a runbook file; 1-based line and column, as editors count. */
public record Position(String file, int line, int column) {
    @Override
    public String toString() {
        return file + ":" + line + ":" + column;
    }
}
