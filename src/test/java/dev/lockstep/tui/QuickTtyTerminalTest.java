package dev.lockstep.tui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.googlecode.lanterna.TerminalSize;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The size `stty size` prints while the terminal is taken; the screen in tmux is TmuxEndToEndTest's. */
@Tag("tty")
class QuickTtyTerminalTest {
    @Test
    void sttySizeIsRowsThenColumnsAndAnythingElseLeavesTheSizeToLanterna() {
        assertEquals(new TerminalSize(100, 30), QuickTtyTerminal.size("30 100"));
        assertEquals(new TerminalSize(1, 1), QuickTtyTerminal.size("1 1"));
        for (String unusable : new String[] {"0 0", "", "30", "30 100 7", "-30 100", "30 1e2", "stty: 'standard input': Inappropriate ioctl",
                "999999 100"}) {
            assertNull(QuickTtyTerminal.size(unusable), unusable);
        }
    }
}
