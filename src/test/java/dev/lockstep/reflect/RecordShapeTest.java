package dev.lockstep.reflect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lockstep.spi.Key;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordShapeTest {
    record Sample(@Key(value = "the name", required = true) String name, int count) {
        Sample(String name) {
            this(name, 1);
        }
    }

    @Test
    void aRecordsComponentsAreReadOnceAndTheirAnnotationsParsedOnce() {
        RecordShape first = RecordShape.of(Sample.class);
        assertSame(first, RecordShape.of(Sample.class));
        assertEquals(List.of("name", "count"), first.components().stream().map(c -> c.getName()).toList());
        assertEquals(List.of("name", "count"), List.copyOf(first.byName().keySet()));
        // The same annotation object each time: parsed once, where getRecordComponents() parses it again per call.
        Key key = first.components().get(0).getAnnotation(Key.class);
        assertSame(key, RecordShape.of(Sample.class).components().get(0).getAnnotation(Key.class));
        assertEquals("the name", key.value());
    }

    @Test
    void theConstructorIsTheCanonicalOneWhateverElseTheRecordDeclares() throws ReflectiveOperationException {
        assertEquals(new Sample("a", 7), RecordShape.of(Sample.class).constructor().newInstance("a", 7));
    }

    @Test
    void onlyRecordsHaveAShape() {
        assertThrows(IllegalArgumentException.class, () -> RecordShape.of(String.class));
    }
}
