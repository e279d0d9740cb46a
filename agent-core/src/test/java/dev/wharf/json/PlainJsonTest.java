package dev.wharf.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class PlainJsonTest {
  private static final JsonFactory JSON = new JsonFactory();

  private static Object read(String s, PlainJson.Style style) throws IOException {
    try (JsonParser p = JSON.createParser(s)) {
      return PlainJson.read(p, p.nextToken(), style);
    }
  }

  @Test
  void readsEveryKindOfValueInTheRequestedStyle() throws IOException {
    String doc = "{\"b\":[1,2.5,\"x\",true,false,null],\"a\":{\"n\":12345678901}}";
    Object insertion = read(doc, new PlainJson.Style(LinkedHashMap::new, false));
    assertThat(insertion).isEqualTo(Map.of("b", java.util.Arrays.asList(1, 2.5, "x", true, false, null),
        "a", Map.of("n", 12345678901L)));
    assertThat(List.copyOf(((Map<?, ?>) insertion).keySet())).isEqualTo(List.of("b", "a"));

    Object goStyle = read(doc, new PlainJson.Style(TreeMap::new, true));
    assertThat(List.copyOf(((Map<?, ?>) goStyle).keySet())).isEqualTo(List.of("a", "b"));
    assertThat(((List<?>) ((Map<?, ?>) goStyle).get("b")).get(0)).isEqualTo(1.0);
    assertThat(((Map<?, ?>) ((Map<?, ?>) goStyle).get("a")).get("n")).isEqualTo(1.2345678901E10);
  }

  @Test
  void truncatedOrTooDeepInputIsAnError() {
    PlainJson.Style style = new PlainJson.Style(LinkedHashMap::new, false);
    assertThatThrownBy(() -> read("{\"a\":[1,2", style)).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> read("{\"a\":", style)).isInstanceOf(IOException.class);
    String deep = "[".repeat(PlainJson.MAX_DEPTH + 2) + "]".repeat(PlainJson.MAX_DEPTH + 2);
    assertThatThrownBy(() -> read(deep, style)).isInstanceOf(IOException.class).hasMessageContaining("deeper");
    String ok = "[".repeat(PlainJson.MAX_DEPTH) + "]".repeat(PlainJson.MAX_DEPTH);
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> read(ok, style))).isNull();
  }
}
