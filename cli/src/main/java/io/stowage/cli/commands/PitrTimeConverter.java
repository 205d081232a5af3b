package io.stowage.cli.commands;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** A recovery target time: ISO-8601 with its offset, so that it means one instant wherever it is typed. */
public class PitrTimeConverter implements ITypeConverter<OffsetDateTime> {
    @Override
    public OffsetDateTime convert(String value) {
        try {
            return OffsetDateTime.parse(value.strip(), DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        } catch (DateTimeParseException e) {
            throw new TypeConversionException("'" + value + "' is not a time with an offset, e.g."
                    + " 2026-12-01T10:15:00Z or 2026-12-01T11:15:00+01:00");
        }
    }
}
