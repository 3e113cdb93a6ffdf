"""Speed of theme assignment and discovery on 100,000 synthetic answers (prints figures).

Synthetic answers are built from the labelled fixtures with variation (answers combined,
filler phrases, place names, numbers, lowercase/ASCII spellings, one-letter typos), so most
of them are distinct texts. Each part runs in its own process so that caches start cold
and peak memory (ru_maxrss) belongs to that part alone.

    .venv/bin/python benchmarks/themes.py [--n 100000] [--repeat 3]
Targets: assignment >= 10,000 answers/s on one core, cold (taskset -c 1, the cold_cpu figure);
discovery < 1 GB. (Discovery of 100,000 answers once took under 15 s with the speed layer that
the layout work removed as speed no user needs; it now takes about 26 s, and a meeting's 1,000
answers well under a second.)
Start-up (not timed as assignment) is import, loading the codebook, compiling the matcher,
loading simplemma and HanTa, and analysing the codebook's own signal words. The cold figure
is the first pass over the answers, whose words are all new. On a shared machine pin it to
one core (taskset -c 1) and read the *_cpu_* figures (process CPU time), which load affects less.
Assignment runs --repeat times, each in a fresh process; the run with the median cold rate is
shown in full, with every run's cold and warm rates.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "themes"
PLACES = ["Freising", "Moosburg", "Eching", "Neufahrn", "Allershausen", "Zolling", "Au", "Nandlstadt", "Kranzberg", "Hallbergmoos"]
FILLERS = ["Bei uns in {p}:", "Aus Sicht von {p}", "Wie schon gesagt,", "Ehrlich gesagt", "Seit {n} Jahren", "Stand {n}:", "Aus dem Gemeinderat {p}:", ""]
ENDINGS = ["", "Danke!", "Das wäre schön.", "Bitte weiter so.", "Mehr dazu beim nächsten Treffen.", "({n} Familien betroffen)"]


def _load_answers() -> list[str]:
    texts = []
    for name in ("dev.csv", "test.csv"):
        with open(FIXTURES / name, encoding="utf-8-sig", newline="") as fh:
            texts += [row["text"] for row in csv.DictReader(fh, delimiter=";")]
    return texts


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 6:
        return word
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1 :]


def synthetic(n: int, seed: int = 1) -> list[str]:
    """``n`` varied answers built from the labelled fixtures."""
    rng = random.Random(seed)
    base = _load_answers()
    out = []
    for _ in range(n):
        parts = rng.sample(base, rng.choice((1, 1, 1, 2, 2, 3)))
        text = " ".join(parts)
        filler = rng.choice(FILLERS).format(p=rng.choice(PLACES), n=rng.randint(2, 40))
        ending = rng.choice(ENDINGS).format(n=rng.randint(2, 40))
        text = " ".join(x for x in (filler, text, ending) if x)
        r = rng.random()
        if r < 0.15:
            text = text.lower()
        elif r < 0.25:
            text = text.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
        elif r < 0.35:
            words = text.split()
            j = rng.randrange(len(words))
            words[j] = _typo(words[j], rng)
            text = " ".join(words)
        out.append(text)
    return out


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def run_assign(n: int) -> dict:
    t0 = time.perf_counter()
    from integkit.themes.assign import assign
    from integkit.themes.codebook import load_codebook
    from integkit.themes.assign import matcher

    # Start-up: import, load the codebook, compile the matcher, load simplemma and HanTa, and
    # analyse the codebook's own signal words. Nothing from the benchmark's answers is seen.
    book = load_codebook()
    matcher(book).warm()
    startup = time.perf_counter() - t0
    texts = synthetic(n)
    t1, c1 = time.perf_counter(), time.process_time()
    result = assign(texts, book)  # first pass: every word of the answers is new
    elapsed, cold_cpu = time.perf_counter() - t1, time.process_time() - c1
    t2, c2 = time.perf_counter(), time.process_time()
    assign(texts, book)  # second pass: token caches warm, texts not memoised across calls
    warm, warm_cpu = time.perf_counter() - t2, time.process_time() - c2
    return {
        "answers": n,
        "distinct_texts": len(set(texts)),
        "startup_s": round(startup, 2),
        "cold_s": round(elapsed, 2),
        "cold_answers_per_s": round(n / elapsed),
        "cold_cpu_answers_per_s": round(n / cold_cpu),
        "warm_s": round(warm, 2),
        "warm_answers_per_s": round(n / warm),
        "warm_cpu_answers_per_s": round(n / warm_cpu),
        "coverage": round(sum(bool(a.themes) for a in result) / n, 3),
        "peak_rss_mb": round(_peak_mb()),
    }


def run_discover(n: int) -> dict:
    texts = synthetic(n)
    base_mb = _peak_mb()
    t0, c0 = time.perf_counter(), time.process_time()
    from integkit.themes.codebook import load_codebook
    from integkit.themes.discover import discover

    result = discover(texts, load_codebook(), seed=0)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {
        "answers": n,
        "seconds_incl_startup": round(elapsed, 2),
        "cpu_seconds": round(cpu, 2),
        "clusters": len(result.summary),
        "clustered": sum(c is not None for c in result.clusters),
        "peak_rss_mb": round(_peak_mb()),
        "rss_before_mb": round(base_mb),
        "top_terms": result.summary["top_terms"].head(6).tolist(),
    }


def _run_part(part: str, n: int) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--part", part, "--n", str(n)], capture_output=True, text=True, cwd=ROOT)
    if proc.returncode:
        sys.exit(proc.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="assignment runs (fresh processes); the median is shown")
    parser.add_argument("--part", choices=["assign", "discover"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.part:
        func = run_assign if args.part == "assign" else run_discover
        print(json.dumps(func(args.n)))
        return
    # A shared machine's noise moves single runs by 10-20%: show every run and take the median.
    runs = [_run_part("assign", args.n) for _ in range(max(1, args.repeat))]
    figures = dict(sorted(runs, key=lambda r: r["cold_answers_per_s"])[len(runs) // 2])
    figures["cold_answers_per_s_all_runs"] = [r["cold_answers_per_s"] for r in runs]
    figures["warm_answers_per_s_all_runs"] = [r["warm_answers_per_s"] for r in runs]
    for part, result in (("assign (median run by cold rate)", figures), ("discover", _run_part("discover", args.n))):
        print(f"== {part} ==")
        for key, value in result.items():
            print(f"  {key:28} {value}")


if __name__ == "__main__":
    main()
