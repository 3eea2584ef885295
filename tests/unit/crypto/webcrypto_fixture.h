/* webcrypto_fixture.h -- a key pair and a ciphertext made by WebCrypto
 * (node 20's crypto.subtle, the browser's API): generateKey RSA-OAEP 4096
 * with SHA-256, exportKey("jwk") of the private key as WebCrypto writes it
 * (with key_ops and ext, members unsorted), and encrypt({name: "RSA-OAEP"})
 * of the ASCII text WEBCRYPTO_PLAINTEXT. Used by test_rsa.c to check that
 * OpenSSL and WebCrypto agree on JWK and OAEP. */
#ifndef CD_TESTS_WEBCRYPTO_FIXTURE_H
#define CD_TESTS_WEBCRYPTO_FIXTURE_H

#define WEBCRYPTO_PLAINTEXT "secret from WebCrypto"

static const char webcrypto_private_jwk[] =
    "{\"key_ops\":[\"decrypt\"],\"ext\":true,\"kty\":\"RSA\",\"n\":\"kseTGJ"
    "fGsU0duAmURLvh9GpfbccyVAuBwSi3NpkXqB4ZGidCZae2NUi2iDwkKYaSJxC1peot7ZEs"
    "cKpLTApYIqAhmQN8Jj1UiFNw75WuVHPFwgcdFyDl4I1_vjEa_U5zms4IH_uKfeesLk5HUL"
    "xEI6r1LMPp8Ns2stEI7CLnGnSwyCkMG2eyoqU5GcqG8VireMpxx4MKebROApHGE7rdfuxR"
    "b8jOE45OFMe4PaFaJusIfApnOnvPK9oWWNFmx5CfgGwim1iYwO2eyqofvhrs5xtYhhU5-9"
    "UdzOl0k8BEpHw4OBQ77JPXV9cSY0uOlpNq45ZCD0889RDYH3uU3U7b0ntE8GRoKGKX8Rxo"
    "po-mOAugTg7KgvDs4SPMhNlcER5Y_vyz7EdD7WrB34Z51NMrNrxgUld2EX-f4ygYsY2j0Y"
    "qpP8IIijA6_uYCxMIF87SHxFxfq55lP1K-KScVYoMut4rlmqXGnGHumUVfYXjN_fsL7uHT"
    "zaR9LjSWeTeYbVfA1uB7fVmfTXT5RfRGCLMywPv0PBN7ViVF_ewXteFscBBtwcgEjUYGCw"
    "67ROzRHHgUggEL4-U9svZodpCedXZFdP3t_eyvwmvY3hO78ksG91anR7pieyR2FthtKrkK"
    "Y9XUFKVFsahdlB7ZmWgrV0bpxy65cfQUOec1odCTVFdYSlM\",\"e\":\"AQAB\",\"d\""
    ":\"QozHhn6Ggaw_3cpGFhYD4JB8XSdUi-O9vKkrzM8D-V9QLVoAklvE0wr5a_KsyMExshG"
    "y8punoE_S0PB9fGgyRtzI7vo0B5iGI9uFWLPKm5L0ZsFX8L0jTTmK4l6caJ5x7w4cg_fGd"
    "sicelBWqGX8FRn12QqpHuIdvlzlyT8X_phK8S4fRauyRGlaZvW7UmFMOdO8W-Pv03eraSH"
    "UJ-zxcZNPZzoqKZa7k1Nsl1D5sayeJ7OF03AAYlcbC8FB8xkBILamyD2W4N68QRJ6mvTVV"
    "gHBlOW56RNbVCXDjBxAYz3JNbAC7YSovjSPK0M-TspfS_o8UHmyX0D4ZOng-KjBJNGgzsK"
    "voj76C5duaEDEzdT0M0_o64SSJiTr_LZSrEvjkDZtJK0-BaJ-UFj_bhb0wc9hZmds9938J"
    "FE7E-hYjUfTkQbtqMp8fOrIZIj8iNet1IxNLt3mxmAx5EEgGFqfeBdOGe15RqUbdoA5EhI"
    "nxgHEx7KaZbSf4f_XaxVXNVSH2bSqCex4Vv0w1dBxsSvXbgJ1vrl93B5ZLV1kqhIsMUUu2"
    "PcBacMWWCf64g73SzDEhtNWbr9FcM-wVvD0jOAgKmGi9MeCVCioTjBAAe-O4mf76c79MAG"
    "L4EHTh5y2KcgVGdpCtZit8prRjG0YjyVMdMUpgy_-63a2cZJxsd1bHyk\",\"p\":\"xFQ"
    "Leawa8GwJyU1DJvs2kWQc-0We0ybGgP8LrrHFt3dLcbS2lzjEmj_K7JL33pXpM9geOzynJ"
    "olDCCBiyX-OMP7VreQQhM8EevMYPdwoO81ZR8IlCjZmJoAJI793NgPYWErzVtkLKE_oTqa"
    "ZOX9JbsmnA38H9EuhOH0T3DGar1M2NCAVDE0udNKtzirT88xOa5dApiI-xE47_AYoZUX5q"
    "Tt5g2dAzJFePZedvcMky0GFS_hDxLMUqJOpjSAqnlzfdu13Sy85uTZQBstrphG8hW3VK9r"
    "ioLxdLGpe6PsfvaiiLrpRuFQkmHK3r-8ywrZWHdEO-awLhJkUIikDoieMKQ\",\"q\":\""
    "v2Q7mILHSCbtfBt5DsIL7PcQeq5osGACuB2ldsc8l3Ok3wPIl8OO_N5t8rBdusev8emxLR"
    "OzBvrfeFr-uMzIMf03rdjKxePUwiAAYhbMq-11MrYCTYGIEGrM3LJ7ezWTFmnCdF03btGO"
    "IWJfT4tbEZvUJOg0HW5HcKBfcdeQ2h6u8uAsUD9q5rywwHZv39PPy6s84mLt1680wx4sp4"
    "n-7mMVH9qaYf7NbFOk9lzaMn5LHLvnTzjT_ly6W-L49AdRtqrwDXSYk3GKEd2nCZPsnxbO"
    "m6adgmmkq5qA_sUAgU2yqU0TBEYcZLpCOi4SXXp-9iedo8q5PdRHedwKBviyGw\",\"dp"
    "\":\"d5vYbeUreGPpxmk6yynrQcKjYXY13-BUuUwo2uJVWYPlQ73cK98a7_qDb4POXR4pu"
    "Dsnl-FI2FJxsya_6JC8mR74IXu7kJ3q1dj6YN2a6Wwew3gFRuaDb1s7tjq0rwTCrm_jNnr"
    "-sC2WkywuV3gzzbou9RNUTkIxU4_oJJNX8Q6aDEGrcRYogmXEG8G95V8IO8YnTc-5O7GKG"
    "-3IeIKcKr0gN60VLkw2BQI0yOJ1rRsa0YDMEK8lm9pyRpddP6PHRNZBgl2gJjVvpeQSjld"
    "p6kRSxegRf-miPigD8J7l5I8zV5KNrOYecX4aaKYq37NkXb_7BqMJVVxJhtJD82tymQ\","
    "\"dq\":\"cAogLRaZzG4lZhq7El2cF5tGRVsmI-IAlYGdZFwb51kmcftICTfM09DuMjz2k"
    "anmIMq6EnZOvk5MVauHI-2VYFYoqxeXFKNb4ExVjRZluFvo2MfdrzudyGaNCMFfMfBZ66v"
    "7zpznH3ODLZ3lx63_oN5FIVnhcD0nixIG7aDQxi9iIQIETvHhBbP-EJ0EvtXC9iqHGMvrC"
    "fEiBPr8DxPkbe8I5b3V1HoSDVEl56bRgO-Xzvlc3m6ZA3WLDtFfBZPnTPTiVC4mR2IW_oB"
    "wEVZMFZGHX2z5Fef8IwzuaLYwpoEyjpN1B3J3mqvCq0ZfL-POwRDN4p2BNWW4dejO4efic"
    "w\",\"qi\":\"YPrpUEp4OmEYR-W1cTzR_LEd_nxOfYTNK9bRnpcIYxTBHyT3ww0WyEYuj"
    "W7X0dWiDHqPKNXSLMHpCNqHVQzXqkbg-AMsH3k8Volt-eOMMmC1y3eiohzA-IEttzDJ2ZT"
    "2M-UsuzCzFH6nRhmf1mjGCg79ML9qVyw9t5pjSq0f-Ori4ww3Urv-FJv6SppCk_hKi6MvU"
    "9KW-Dkc61FjP-e8GulEEmGeAD4JTYJXWC4XT4sG-VhSVzOX2A3zaafUMKwI_wVDkf85Oj-"
    "lbZDt82c3BU4P8V3KdKKIzux4GeMuM7j4hjdzrmU-qe8aS3GUcavo-oAxBo4rAZOkdTH4D"
    "djN0w\",\"alg\":\"RSA-OAEP-256\"}";

static const char webcrypto_ciphertext[] =
    "{1,} A9FUSiO4Pd5c+W9TKUXibTjSGKYoDmi8FFjXdeLnUMJNi31kEEAOvY16zywSWnQmr"
    "4ejOj1NRYPfvKDotjXS2JajNeA/5YS/5sBJ/2c6Nec0NF+cgO+V+5nCR2rdSuG8vJmWw9i"
    "PUIeri2iwtk6netl6vm0FoJ+D/cNreGCqSiU1Lw406fLMFNbGkYKY4usYTXMXc3HItgS7v"
    "/5inDutjAICYj/3D2crI1BZJs4kcdW4GM49dtop35v4mPFbr9+I1gc2j8oYywtL3OW91p/"
    "uKruDnR+rvbrDqAlan5FWxd46zKBdan8sbrrVjVY1ES6MD7lgUzW6oEygVGs3hWk3OK3uw"
    "SqlR4MyNsLBeiBU1bqFr87M5qbBZaVtPS8xZZAD9r3+xelbrlsOh7KR7JYzb9vT6H/Idq4"
    "pBy8D91n7rEa7PV5G9T61b7TDyJTY+jPSHMwHs3FE0y1po437YX7r9gPUXBNq+Tf1HjSoJ"
    "ww6+mfE3KLkws3UeOb/KhL3xmOFAptR32UzepvXp9KPo8Hv0QZLCu49P17OBcfDKOa3OC0"
    "jzv5Tgc/LkPGv592zjof8aWwBa3a9RpfX9cw7c7CqFJkeW1OjipaAhcHOebpShIJxHvg7P"
    "2tEmvmrBOA/aiqt7y9YD+4Ys9gZqL1+XgHNZVBHZOqtlAyv+P1LYUhFvJ8=";

#endif /* CD_TESTS_WEBCRYPTO_FIXTURE_H */
