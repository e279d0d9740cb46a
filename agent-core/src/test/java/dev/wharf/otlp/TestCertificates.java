package dev.wharf.otlp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Self-signed certificates for TLS tests, made with the JDK's keytool and written as PEM files
 * (certificate, PKCS#8 key) as users give them to {@code tls.cert_file} / {@code key_file}.
 */
public final class TestCertificates {
  /** PEM files of one self-signed certificate; the certificate is its own CA file. */
  public record Pem(Path certFile, Path keyFile) {
    public byte[] certBytes() throws IOException {
      return Files.readAllBytes(certFile);
    }

    public byte[] keyBytes() throws IOException {
      return Files.readAllBytes(keyFile);
    }
  }

  private TestCertificates() {}

  /** A self-signed RSA certificate for {@code cn} valid for localhost and 127.0.0.1. */
  public static Pem create(Path dir, String cn) throws IOException, InterruptedException {
    Path p12 = dir.resolve(cn + ".p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    List<String> cmd = new ArrayList<>(List.of(keytool.toString(), "-genkeypair", "-alias", cn, "-keyalg", "RSA",
        "-keysize", "2048", "-validity", "2", "-dname", "CN=" + cn, "-ext", "san=dns:localhost,ip:127.0.0.1",
        "-keystore", p12.toString(), "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit"));
    Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!proc.waitFor(60, TimeUnit.SECONDS) || proc.exitValue() != 0) {
      throw new IOException("keytool failed: " + out);
    }
    try (InputStream in = Files.newInputStream(p12)) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, "changeit".toCharArray());
      PrivateKey key = (PrivateKey) ks.getKey(cn, "changeit".toCharArray());
      Certificate cert = ks.getCertificate(cn);
      Path certFile = dir.resolve(cn + "-cert.pem");
      Path keyFile = dir.resolve(cn + "-key.pem");
      Files.writeString(certFile, pem("CERTIFICATE", cert.getEncoded()));
      Files.writeString(keyFile, pem("PRIVATE KEY", key.getEncoded()));
      return new Pem(certFile, keyFile);
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException(e);
    }
  }

  static String pem(String label, byte[] der) {
    return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + label + "-----\n";
  }
}
