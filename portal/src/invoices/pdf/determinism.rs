//! Makes the saved file reproducible: printpdf writes a random file identifier into the trailer,
//! which is replaced here by a hash of the rest of the file.
//!
//! This is a byte-level patch applied after saving, so it must never change the length of
//! anything (the cross-reference table holds byte offsets), never touch bytes outside the two
//! trailer ids, and never fail a render: an unexpected trailer is left as it is. It must also never
//! depend on std's hasher, which may change between Rust releases.

/// FNV-1a, 64 bit: a small stable hash (std's hasher may change between Rust releases).
fn fnv1a(seed: u64, parts: &[&[u8]]) -> u64 {
    let mut hash = seed;
    for part in parts {
        for byte in *part {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// Replaces the random file identifier printpdf writes into the trailer
/// (`/ID[(32 letters)(32 letters)]`) with a hash of the rest of the file, keeping its length,
/// so byte offsets stay valid and the same invoice always renders to the same bytes.
/// Leaves the file alone if the trailer does not look as expected.
pub(super) fn stable_file_id(pdf: &mut [u8]) {
    const MARKER: &[u8] = b"/ID[(";
    let Some(start) = pdf.windows(MARKER.len()).rposition(|w| w == MARKER).map(|i| i + MARKER.len() - 1) else {
        return;
    };
    // Expect "(" id ")(" id ")]" with ids made of ASCII letters.
    let Some(len) = pdf[start + 1..].iter().position(|b| *b == b')') else { return };
    let end = start + 2 * (len + 2);
    if end >= pdf.len() || pdf[start + len + 2] != b'(' || pdf[end - 1] != b')' || pdf[end] != b']' {
        return;
    }
    let ids = [start + 1..start + 1 + len, start + len + 3..start + len + 3 + len];
    if ids.iter().any(|r| !pdf[r.clone()].iter().all(u8::is_ascii_alphabetic)) {
        return;
    }
    let (head, tail) = (&pdf[..start], &pdf[end..]);
    let hashes = [fnv1a(0xcbf2_9ce4_8422_2325, &[head, tail]), fnv1a(0x8422_2325_cbf2_9ce4, &[tail, head])];
    // Letters A..P, one per 4 bits, as many as the original id had.
    let letters: Vec<u8> = (0..len).map(|i| b'A' + ((hashes[(i / 16) % 2] >> ((i % 16) * 4)) & 0xf) as u8).collect();
    for range in ids {
        pdf[range].copy_from_slice(&letters);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_id_depends_only_on_the_rest_of_the_file() {
        let file =
            |id1: &str, id2: &str| format!("%PDF-1.7 body\ntrailer<</Size 9/ID[({id1})({id2})]>>\n%%EOF").into_bytes();
        let mut a = file("QWERTYUIOPASDFGHJKLZXCVBNMQWERTY", "MNBVCXZLKJHGFDSAPOIUYTREWQMNBVCX");
        let mut b = file("ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        let len = a.len();
        stable_file_id(&mut a);
        stable_file_id(&mut b);
        assert_eq!(a, b);
        assert_eq!(a.len(), len);
        assert!(a.starts_with(b"%PDF-1.7 body\ntrailer<</Size 9/ID[("));

        // Anything unexpected is left alone.
        for odd in [file("abc1", "defg"), file("abcd", "efg"), b"no trailer id".to_vec()] {
            let mut patched = odd.clone();
            stable_file_id(&mut patched);
            assert_eq!(patched, odd);
        }
    }
}
