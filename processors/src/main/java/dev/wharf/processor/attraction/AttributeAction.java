package dev.wharf.processor.attraction;

import io.opentelemetry.proto.common.v1.AnyValue;

/**
 * One validated entry of an {@code actions} / {@code attributes} list.
 *
 * @param key the attribute acted upon (empty for delete/hash by pattern only)
 * @param value the literal value of insert/update/upsert, or null
 * @param fromAttribute the source attribute of insert/update/upsert, or null
 * @param regex delete/hash key pattern or extract pattern, or null
 * @param convertedType {@code string}, {@code int} or {@code double} for convert, else null
 */
public record AttributeAction(
    Type type, String key, AnyValue value, String fromAttribute, GoRegex regex, String convertedType) {

  /** The actions upstream supports, with their config spelling. */
  public enum Type {
    INSERT, UPDATE, UPSERT, DELETE, HASH, EXTRACT, CONVERT;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
