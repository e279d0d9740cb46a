package dev.wharf.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.RSAPrivateCrtKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsFilesTest {
  @TempDir
  Path dir;

  @Test
  void loadsPemCertificatesAndPkcs8AndPkcs1Keys() throws Exception {
    TestCertificates.Pem pem = TestCertificates.create(dir, "server");
    assertThat(TlsFiles.certificates(pem.certFile())).hasSize(1);
    assertThat(TlsFiles.keyManagers(pem.certFile(), pem.keyFile())).isNotEmpty();
    assertThat(TlsFiles.trustManagers(pem.certFile())).isNotEmpty();
    assertThat(TlsFiles.context(TlsFiles.keyManagers(pem.certFile(), pem.keyFile()), TlsFiles.trustAll())).isNotNull();

    // the same RSA key written as PKCS#1 (BEGIN RSA PRIVATE KEY), as openssl genrsa writes it
    RSAPrivateCrtKey key = (RSAPrivateCrtKey) TlsFiles.privateKey(pem.keyFile());
    byte[] pkcs8 = key.getEncoded();
    // PKCS#8 = SEQUENCE { version, algorithm, OCTET STRING { PKCS#1 } }: the last element is the PKCS#1 key
    byte[] pkcs1 = lastOctetString(pkcs8);
    Path rsa = dir.resolve("rsa.pem");
    Files.writeString(rsa, TestCertificates.pem("RSA PRIVATE KEY", pkcs1));
    assertThat(TlsFiles.privateKey(rsa)).isEqualTo(key);
  }

  @Test
  void errorsNameTheFile() throws Exception {
    Path junk = dir.resolve("junk.pem");
    Files.writeString(junk, "hello");
    assertThatThrownBy(() -> TlsFiles.certificates(junk)).hasMessageContaining(junk.toString());
    assertThatThrownBy(() -> TlsFiles.privateKey(junk)).hasMessageContaining(junk + " holds no PEM private key");
    Path ec = dir.resolve("ec.pem");
    Files.writeString(ec, "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n");
    assertThatThrownBy(() -> TlsFiles.privateKey(ec)).hasMessageContaining("openssl pkcs8 -topk8");
    assertThatThrownBy(() -> TlsFiles.certificates(dir.resolve("missing.pem"))).isInstanceOf(java.io.IOException.class);
  }

  /** The content of the last OCTET STRING at the top level of a DER SEQUENCE. */
  private static byte[] lastOctetString(byte[] der) {
    int i = 1;
    i += lengthBytes(der, i);
    byte[] last = null;
    while (i < der.length) {
      int tag = der[i] & 0xff;
      int len = length(der, i + 1);
      int header = 1 + lengthBytes(der, i + 1);
      if (tag == 0x04) {
        last = java.util.Arrays.copyOfRange(der, i + header, i + header + len);
      }
      i += header + len;
    }
    return last;
  }

  private static int lengthBytes(byte[] der, int at) {
    int b = der[at] & 0xff;
    return b < 0x80 ? 1 : 1 + (b & 0x7f);
  }

  private static int length(byte[] der, int at) {
    int b = der[at] & 0xff;
    if (b < 0x80) {
      return b;
    }
    int n = 0;
    for (int k = 0; k < (b & 0x7f); k++) {
      n = n << 8 | der[at + 1 + k] & 0xff;
    }
    return n;
  }
}
