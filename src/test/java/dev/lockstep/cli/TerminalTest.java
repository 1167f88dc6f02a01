package dev.lockstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** When lockstep opens the full-screen UI: only on a real terminal (the tmux test shows it end to end). */
@Tag("tty")
class TerminalTest {
    @Test
    void aRealTerminalGetsTheScreen() {
        assertNull(Terminal.plainReason(Map.of("TERM", "xterm-256color"), true));
        assertNull(Terminal.plainReason(Map.of("TERM", "screen", "CI", "false"), true));
    }

    @Test
    void redirectedStreamsDumbTerminalsAndCiGetPlainLines() {
        assertEquals("input or output is not a terminal", Terminal.plainReason(Map.of("TERM", "xterm"), false));
        assertEquals("TERM is 'dumb'", Terminal.plainReason(Map.of("TERM", "dumb"), true));
        assertEquals("TERM is not set", Terminal.plainReason(Map.of(), true));
        assertEquals("CI is set", Terminal.plainReason(Map.of("TERM", "xterm", "CI", "true"), true));
        assertEquals("CI is set", Terminal.plainReason(Map.of("TERM", "xterm", "CI", "1"), true));
    }
}
