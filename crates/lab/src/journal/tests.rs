use super::*;

const SHAPE: Shape = Shape {
    kind: "optimise",
    key: 2,
    values: 3,
};

fn line(key: Vec<i64>, first: f64) -> Line {
    Line {
        key,
        values: vec![first, 0.25, f64::NAN],
    }
}

/// Undefined values (NaN) come back as they went, so lines compare by
/// their text.
fn shown(lines: &[Line]) -> String {
    format!("{lines:?}")
}

#[test]
fn a_journal_resumes_keeps_whole_lines_and_refuses_other_work() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("search.journal");
    let lines = vec![
        line(vec![100, 0], 1.5),
        line(vec![1000, 7], -0.1),
        line(vec![3, -4], f64::NAN),
    ];
    {
        let (mut j, known, notes) = Journal::open(&path, &SHAPE, "abc").unwrap();
        assert!(known.is_empty() && notes.is_empty());
        j.append(&lines).unwrap();
    }
    let (_, known, notes) = Journal::open(&path, &SHAPE, "abc").unwrap();
    assert!(notes.is_empty(), "{notes:?}");
    assert_eq!(shown(&known), shown(&lines));
    // Other work's journal is refused, naming both fingerprints; so is
    // another kind's.
    let err = Journal::open(&path, &SHAPE, "xyz").unwrap_err().to_string();
    assert!(
        err.contains("fingerprint abc") && err.contains("xyz"),
        "{err}"
    );
    let other = Shape {
        kind: "calibrate",
        ..SHAPE
    };
    let err = Journal::open(&path, &other, "abc").unwrap_err().to_string();
    assert!(
        err.contains("is not a journal of siloscope calibrate"),
        "{err}"
    );
    // A line altered and a line cut short are named, dropped and computed
    // again.
    let text = std::fs::read_to_string(&path).unwrap();
    let altered = text.replacen("1000,7", "1000,8", 1);
    let cut = &altered[..altered.len() - 5];
    std::fs::write(&path, cut).unwrap();
    let (mut j, known, notes) = Journal::open(&path, &SHAPE, "abc").unwrap();
    assert_eq!(shown(&known), shown(&lines[..1]));
    assert!(
        notes[0].starts_with("line 3: does not match its check"),
        "{notes:?}"
    );
    assert!(notes[1].starts_with("line 4: cut short"), "{notes:?}");
    // The journal was rewritten whole before anything is appended.
    j.append(&lines[1..2]).unwrap();
    let (_, known, notes) = Journal::open(&path, &SHAPE, "abc").unwrap();
    assert!(notes.is_empty(), "{notes:?}");
    assert_eq!(shown(&known), shown(&lines[..2]));
    // A shard's journal is read without being touched.
    let before = std::fs::read(&path).unwrap();
    let (read, _) = Journal::read_only(&path, &SHAPE, "abc").unwrap();
    assert_eq!(shown(&read), shown(&lines[..2]));
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert!(Journal::read_only(&dir.path().join("none"), &SHAPE, "abc").is_err());
    // Not a journal at all.
    std::fs::write(&path, "policy,objective\n").unwrap();
    let err = Journal::open(&path, &SHAPE, "abc").unwrap_err().to_string();
    assert!(
        err.contains("is not a journal of siloscope optimise"),
        "{err}"
    );
}

#[test]
fn jobs_resume_and_shard_to_the_same_results_for_any_threads() {
    let pool = |n| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .unwrap()
    };
    let job = |j: usize| -> Result<Vec<f64>, ()> { Ok(vec![(j as f64).sqrt(), j as f64]) };
    let total = 150;
    let mut saved = Vec::new();
    let all = run_jobs(
        total,
        Vec::new(),
        Shard::WHOLE,
        &pool(3),
        &job,
        |l, done| {
            saved.extend(l.iter().cloned());
            assert_eq!(done, saved.len());
            Ok(())
        },
    )
    .unwrap();
    assert!(
        all.iter()
            .enumerate()
            .all(|(j, v)| v.as_ref() == Some(&job(j).unwrap()))
    );
    // Journaled in job order, whatever the threads did.
    assert!(saved.iter().enumerate().all(|(j, l)| l.key == [j as i64]));
    // Resumed from part of the journal (and a line of another shape, a
    // job out of range): only the rest runs, to the same results.
    let mut known: Vec<Line> = saved[..70].to_vec();
    known.push(Line {
        key: vec![999],
        values: vec![0.0, 0.0],
    });
    let mut ran = 0;
    let resumed = run_jobs(total, known, Shard::WHOLE, &pool(1), &job, |l, _| {
        ran += l.len();
        Ok(())
    })
    .unwrap();
    assert_eq!(resumed, all);
    assert_eq!(ran, total - 70);
    // Three shards, each its own jobs; together, everything once.
    let mut union: Vec<Option<Vec<f64>>> = vec![None; total];
    for index in 0..3 {
        let part = run_jobs(
            total,
            Vec::new(),
            Shard { index, count: 3 },
            &pool(2),
            &job,
            |_, _| Ok(()),
        )
        .unwrap();
        for (j, v) in part.into_iter().enumerate() {
            assert_eq!(v.is_some(), j % 3 == index);
            if v.is_some() {
                assert!(union[j].is_none());
                union[j] = v;
            }
        }
    }
    assert_eq!(union, all);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    /// Any bytes in a journal's place: results, notes or a refusal, never
    /// a panic; every result read has the journal's shape.
    #[test]
    fn any_journal_bytes_are_read_or_refused(
        body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300),
        headed in proptest::prelude::any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("search.journal");
        let mut bytes = if headed { b"siloscope optimise journal 1 abc\n".to_vec() } else { Vec::new() };
        bytes.extend(body);
        std::fs::write(&path, &bytes).unwrap();
        if let Ok((_, known, _)) = Journal::open(&path, &SHAPE, "abc") {
            proptest::prop_assert!(known.iter().all(|l| l.key.len() == 2 && l.values.len() == 3));
        }
    }
}

/// A journal with a second name is never appended to: the other name
/// would change too.
#[cfg(unix)]
#[test]
fn a_hard_linked_journal_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("search.journal");
    drop(Journal::open(&path, &SHAPE, "abc").unwrap());
    std::fs::hard_link(&path, dir.path().join("elsewhere")).unwrap();
    let err = Journal::open(&path, &SHAPE, "abc").unwrap_err().to_string();
    assert!(err.contains("has other hard links"), "{err}");
}
