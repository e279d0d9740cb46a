package dev.wharf.exporter.otlp;

import dev.wharf.config.ConfigNode;
import dev.wharf.otlp.TlsFiles;
import java.io.IOException;
import java.nio.file.Path;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/**
 * Client {@code tls} settings as upstream's {@code configtls.ClientConfig}: {@code insecure}
 * (gRPC only: plaintext), {@code insecure_skip_verify}, {@code ca_file} (else the system CAs),
 * {@code cert_file}/{@code key_file} (client certificate), {@code server_name_override}.
 */
public record OtlpClientTls(
    boolean insecure,
    boolean insecureSkipVerify,
    String caFile,
    String certFile,
    String keyFile,
    String serverNameOverride) {

  public static OtlpClientTls parse(ConfigNode tls) {
    boolean insecure = tls.bool("insecure", false);
    boolean skip = tls.bool("insecure_skip_verify", false);
    String ca = emptyToNull(tls.string("ca_file", null));
    String cert = emptyToNull(tls.string("cert_file", null));
    String key = emptyToNull(tls.string("key_file", null));
    String serverName = emptyToNull(tls.string("server_name_override", null));
    if ((cert == null) != (key == null)) {
      tls.problem(cert == null ? "cert_file" : "key_file", "cert_file and key_file must be given together");
    }
    return new OtlpClientTls(insecure, skip, ca, cert, key, serverName);
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  /** Client certificate key managers; null when none is configured. */
  public KeyManager[] keyManagers() throws IOException {
    return certFile == null ? null : TlsFiles.keyManagers(Path.of(certFile), Path.of(keyFile));
  }

  /** Trust managers for {@code ca_file} or {@code insecure_skip_verify}; null = the system CAs. */
  public TrustManager[] trustManagers() throws IOException {
    if (insecureSkipVerify) {
      return TlsFiles.trustAll();
    }
    return caFile == null ? null : TlsFiles.trustManagers(Path.of(caFile));
  }

  public SSLContext sslContext() throws IOException {
    return TlsFiles.context(keyManagers(), trustManagers());
  }
}
