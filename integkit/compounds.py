"""A faster, exact HanTa morphological analyser (used for compound splitting).

HanTa's ``HanoverTagger.analyze`` runs two dynamic programmes over a word's segments:
``analyze_forward`` (which part of speech?) and ``analyze_viterbi`` (which morphemes?).
Both are max-product DPs over states ``(previous tag, tag)`` with per-row pruning, and they
dominate the cost of theme assignment. :class:`FastTagger` computes them with the same
floating-point operations in the same order, so every result is identical, but

* pulls each row from the earlier ones instead of pushing forward. For a target row the
  candidates then arrive in HanTa's order (source row ascending, states in insertion order,
  tags in follow-up order), so values, ties, backpointers and dict order all stay the same;
* memoises rows by the word prefix they depend on (plus what ``lp_m_t`` reads: word shorter
  than 4, segment = whole word, strictness; and the target POS), so words sharing a prefix
  (inflections, typo variants, first parts of compounds) share that work;
* tabulates ``lp_m_t`` per segment, and visits only follow-up tags whose ``lp_m_t`` can be
  finite (the others can never win), from pre-filtered tuples: for a segment that is no known
  morpheme only the open-class ("hapax") tags, for a known one only its finite tags; HanTa's
  ``lp + lpt + lp_m_t`` is still summed left to right (``lp + lpt`` is kept per source state);
* in the strict Viterbi pass (known morphemes only), skips the rows that no known morpheme
  reaches (most rows of a misspelt word) - they are empty;
* keeps what it memoises in flat tuples of numbers and of shared, older tuples (no dicts or
  lists inside). The garbage collector untracks such tuples at its first pass, so the memos
  neither slow down its collections nor trigger full ones.

``tests/test_compounds.py`` compares it with the stock tagger word by word.
"""

from __future__ import annotations

import math
from itertools import product
from operator import add, itemgetter

from HanTa import HanoverTagger as _H
import numpy as np
from numpy import logaddexp

__all__ = ["FastTagger"]

_EMPTY, _START, _UNKNOWN, _END_UNKNOWN = _H.EMPTY, _H.START, _H.UNKNOWN, _H.END_UNKNOWN
_LOWERBOUND = -1e6
_NEG_INF = -math.inf
_START_STATE = (_EMPTY, _START)
# Memo bounds (entries); past them a memo is simply cleared, so memory stays bounded.
_MAX_ROWS = 10_000
_MAX_SEGMENTS = 20_000
_MAX_FILTERED = 50_000
# Words longer than this are analysed without memoising (a column holds O(length) entries).
_MAX_MEMO_LEN = 64
# Ints packed into one: a backpointer is (row << 20) | state id, a follow-up filter key is
# (finite-tag-set id << 20) | follow-up id. The German model has 293 states, ~300 follow-ups.
_ID_BITS = 20
_ID_MASK = (1 << _ID_BITS) - 1


def _memoised(memo: dict, memo_open: dict, key: tuple, final: bool, compute) -> tuple[tuple, tuple]:
    """A row and its open part from the memos, or from ``compute()`` (then memoised).

    The last row (``final``) has no open part; memos are cleared past ``_MAX_ROWS`` rows.
    """
    row = memo.get(key)
    if row is not None:
        return row, () if final else memo_open[key]
    row, row_open = compute()
    if len(memo) >= _MAX_ROWS:
        memo.clear()
        memo_open.clear()
    memo[key] = row
    if not final:
        memo_open[key] = row_open
    return row, row_open


class FastTagger(_H.HanoverTagger):
    """``HanoverTagger`` whose ``analyze_forward``/``analyze_viterbi`` are exact but faster.

    Layouts (flat tuples, see the module docstring for why):

    * a *column* (the segments ending at j): ``(m, lps, set_key) * n`` for the segments
      ``word[j-m:j]`` that can have a finite ``lp_m_t``, start ascending. For a known morpheme,
      ``lps`` holds the finite values of ``lp_m_t(segment, tag)`` for the tags of set
      ``set_key`` (ascending; ``_set_pos[set_key >> 20]`` maps a tag to its position); for
      another segment ``set_key`` is 0 and ``lps`` holds the guesses for all open-class tags
      (some may be -inf), in the order of ``_guess_tags``;
    * a forward row: ``(lp, fol_id) * n``, one pair per unpruned state with follow-ups, in row
      order, and apart its open part ``(lp + lpt, position, new state) * k``, one triple per
      open-class follow-up of those states (see :meth:`_fol_id`), in HanTa's order; the last
      row (whole word): ``(state, lp) * n`` for all its states, in row order;
    * a Viterbi row: ``(lp, fol_id, code, back) * n`` and ``(lp + lpt, position, new state,
      code) * k``, with ``code`` = (row << 20) | state id and ``back`` the code of the state's
      best predecessor; the last row: ``(state, lp, back) * n``.
    """

    def __init__(self, filename: str = "morphmodel_ger.pgz") -> None:
        super().__init__(filename)
        self._fast = self._prepare()

    # ----------------------------------------------------------------- set-up
    def _prepare(self) -> bool:
        """Build the lookup tables; False if the model breaks an assumption (then stock DPs run)."""
        guess_tags = sorted(t for t in self.LP_hapax_t if t in self.LP_s_t)
        keysets = {frozenset(self.LP_s_t[t]) for t in guess_tags}
        if len(keysets) > 1 or any(t not in self.LP_len_t or t not in self.LP_m_t for t in guess_tags):
            return False
        fol_tags = {t for fol in self.LP_trans_nonfinal.values() for t, _ in fol}
        if any(t not in self.LP_m_t for t in fol_tags):
            return False  # stock lp_m_t would raise KeyError; let it
        self._suffixes = next(iter(keysets)) if keysets else frozenset()
        self._guess_tags = guess_tags
        self._guess_pos = {t: k for k, t in enumerate(guess_tags)}
        # lp_m_t is only ever asked about the (positive) tags of non-final follow-ups
        known: dict[str, dict[int, float]] = {}
        for t, lp_m in self.LP_m_t.items():
            if t > 0:
                for m, lp in lp_m.items():
                    known.setdefault(m, {})[t] = lp
        self._known = known
        # longest known morpheme per last three letters: bounds the look-ups of a column
        longest: dict[str, int] = {}
        for m in known:
            if len(m) >= 3 and len(m) > longest.get(m[-3:], 0):
                longest[m[-3:]] = len(m)
        self._longest = longest
        # (Int_t + LP_hapax_t[t]) + LP_len_t[t][b], the first terms of lp_m_t's guess in its
        # order, per length class b and in the order of _guess_tags
        self._guess_base = [
            tuple([self.Int_t + self.LP_hapax_t[t] + self.LP_len_t[t][b] for t in guess_tags]) for b in range(25)
        ]
        self._guess_base_array = np.array(self._guess_base[5:], dtype=np.float64)  # length classes 5..24
        self._guess_memo: dict = {}  # (suffix, min(len, 24), whole) -> guesses, see _guess_lps
        self._skeletons: dict = {}  # suffix classes -> see _guesses_ending
        self._set_ids: dict = {(): 0}  # finite-tag sets (sorted tuples), numbered
        self._set_pos: list = [{}]  # per set: {tag: position in the set}
        # (strict, short, whole) -> {known segment: (lps, set key)}
        self._seg_memo: dict = {flags: {} for flags in product((False, True), repeat=3)}
        self._col_memo: dict = {}  # (prefix, strict, short, final) -> column
        self._filtered: dict = {}  # set key | follow-up id -> see _filter
        self._kept: dict = {}  # see _keep
        # states are interned (one shared tuple each) and numbered
        self._state_ids: dict = {}
        self._states: list = []
        self._intern(_START_STATE)
        # follow-ups as (tag, lp, new state), numbered; per target POS (None: forward) and state
        self._fols: list = [()]
        self._open_fols: list = [()]
        self._fol_ids: dict = {}
        self._fol_by_reach: dict = {}
        # Viterbi tables depend on the target POS only through its reachable tags
        self._reach_ids: dict = {}
        self._reach_sets: list = []
        for reach in [None, *map(self._reach_id, self.reachability)]:
            for state in self.LP_trans_nonfinal:
                self._fol_id(state, reach)
        self._fwd_rows: dict = {}  # (prefix, short, final) -> forward row
        self._fwd_open: dict = {}  # same keys -> its open-class part
        self._vit_rows: dict = {}  # (prefix, short, final, strict, reach id) -> viterbi row
        self._vit_open: dict = {}  # same keys -> its open-class part
        return True

    def _intern(self, state: tuple) -> tuple:
        """The one shared object for ``state`` (numbered in ``_states``)."""
        sid = self._state_ids.get(state)
        if sid is None:
            if len(self._states) > _ID_MASK:
                raise OverflowError("too many HanTa states")
            self._state_ids[state] = len(self._states)
            self._states.append(state)
            return state
        return self._states[sid]

    def _reach_id(self, targetpos: int) -> int:
        """Number of the set of tags from which ``targetpos`` (a final tag) is reachable."""
        reach = self.reachability.get(targetpos, frozenset())
        rid = self._reach_ids.get(reach)
        if rid is None:
            rid = self._reach_ids[reach] = len(self._reach_sets)
            self._reach_sets.append(reach)
        return rid

    def _fol_id(self, state: tuple, reach: int | None) -> int:
        """Id of the follow-ups of ``state`` (0: none), as HanTa's DPs see them.

        With ``reach`` (a :meth:`_reach_id`, Viterbi), only tags from which the target POS is
        reachable; the order is HanTa's follow-up order. ``_fols[id]`` holds them as
        (tag, lp, new state), ``_open_fols[id]`` the open-class ones as
        (position in _guess_tags, lp, new state).
        """
        by_state = self._fol_by_reach.get(reach)
        if by_state is None:
            by_state = self._fol_by_reach[reach] = {}
        fid = by_state.get(state)
        if fid is None:
            followup = self.LP_trans_nonfinal.get(state, [])
            if reach is not None:
                tags = self._reach_sets[reach]
                followup = [(t, p) for (t, p) in followup if t in tags]
            s1 = state[1]
            fol = tuple((t, p, self._intern((s1, t))) for t, p in followup)
            fid = self._fol_ids.get(fol) if fol else 0
            if fid is None:
                if len(self._fols) > _ID_MASK:
                    raise OverflowError("too many HanTa follow-up lists")
                fid = self._fol_ids[fol] = len(self._fols)
                self._fols.append(fol)
                gpos = self._guess_pos
                self._open_fols.append(tuple((gpos[t], p, ns) for t, p, ns in fol if t in gpos))
            by_state[state] = fid
        return fid

    def _keep(self, item: tuple) -> tuple:
        """``item``, or an equal tuple kept before; kept tuples are referenced from an old dict.

        Besides sharing memory, this lets the garbage collector untrack a tuple before the
        tuples that contain it (it only untracks a tuple whose items are untracked already).
        """
        kept = self._kept
        if len(kept) >= _MAX_SEGMENTS:
            kept.clear()
        return kept.setdefault(item, item)

    def _filter(self, key: int) -> tuple:
        """The follow-ups ``key & _ID_MASK`` whose tag is in set ``key >> 20``."""
        tags = self._set_pos[key >> _ID_BITS]
        fol = tuple([f for f in self._fols[key & _ID_MASK] if f[0] in tags])
        if len(self._filtered) >= _MAX_FILTERED:
            self._filtered.clear()
        self._filtered[key] = fol
        return fol

    # ------------------------------------------------------ per-segment lp tables
    def _guess_lps(self, suf: str, b: int, whole: bool) -> tuple:
        """``lp_m_t``'s guesses (may be -inf) for an unknown morpheme of suffix class ``suf``, length class ``b``.

        In the order of ``_guess_tags``; the same operations as ``lp_m_t``:
        ((Int + hapax) + len) + suffix, then - 4.6 for a whole word.
        """
        lps = self._guess_memo.get((suf, b, whole))
        if lps is None:
            lps = map(add, self._guess_base[b], [self.LP_s_t[t][suf] for t in self._guess_tags])
            if whole:
                lps = [lp - 4.6 for lp in lps]
            lps = self._guess_memo[suf, b, whole] = tuple(lps)
        return lps

    def _long_guesses(self, suf: str) -> list:
        """:meth:`_guess_lps` of ``suf`` for the length classes 5 .. 24 (index b - 5), at once.

        numpy's float64 sums are exactly Python's.
        """
        memo = self._guess_memo
        if (suf, 5, False) not in memo:
            by_suffix = np.array([self.LP_s_t[t][suf] for t in self._guess_tags], dtype=np.float64)
            for b, row in enumerate((self._guess_base_array + by_suffix).tolist(), 5):
                memo.setdefault((suf, b, False), tuple(row))
        return [memo[suf, b, False] for b in range(5, 25)]

    def _suffix_class(self, seg: str) -> str:
        """The suffix ``lp_m_t`` uses for the unknown morpheme ``seg``."""
        mlen = len(seg)
        sufs = self._suffixes
        if mlen > 4 and seg[-4:] in sufs:
            return seg[-4:]
        if mlen > 3 and seg[-3:] in sufs:
            return seg[-3:]
        if mlen > 2 and seg[-2:] in sufs:
            return seg[-2:]
        if mlen > 1 and seg[-1:] in sufs:
            return seg[-1:]
        return ""

    def _known_lps(self, seg: str, kn: dict, strict: bool, short: bool, whole: bool) -> tuple:
        """(lps, set key) of the known morpheme ``seg`` (plus guesses for its other tags, if allowed)."""
        memo = self._seg_memo[strict, short, whole]
        entry = memo.get(seg)
        if entry is None:
            if not strict and (short or len(seg) > 2):
                guesses = self._guess_lps(self._suffix_class(seg), min(len(seg), 24), whole)
                lps = {t: lp for t, lp in zip(self._guess_tags, guesses) if lp != _NEG_INF}
                lps.update(kn)
            else:
                lps = kn
            tags = tuple(sorted(lps))
            sid = self._set_ids.get(tags)
            if sid is None:
                if len(self._set_pos) > _ID_MASK:
                    raise OverflowError("too many HanTa tag sets")
                sid = self._set_ids[tags] = len(self._set_pos)
                self._set_pos.append({t: k for k, t in enumerate(tags)})
            if len(memo) >= _MAX_SEGMENTS:
                memo.clear()
            entry = memo[seg] = (self._keep(tuple([lps[t] for t in tags])), sid << _ID_BITS)
        return entry

    def _guesses_ending(self, end: str, n: int) -> tuple:
        """Column part for the unknown segments of lengths n+2 .. 3 ending in the 4 letters ``end``.

        Their ``lp_m_t`` guesses only depend on the suffix classes of ``end`` (for lengths 3, 4
        and more) and the length class min(length, 24), so all are tails of one tuple.
        """
        sufs = self._suffixes
        w2, w1 = end[2:], end[3:]
        s3 = w2 if w2 in sufs else w1 if w1 in sufs else ""
        w3 = end[1:]
        s4 = w3 if w3 in sufs else s3
        s5 = end if end in sufs else s4
        key = (s5, s4, s3)
        skeleton = self._skeletons.get(key)
        if skeleton is None or len(skeleton) < 3 * n:
            guess = self._guess_lps
            long_guesses = self._long_guesses(s5)
            flat = []
            for m in range(max(n, 22) + 2, 4, -1):
                flat += (m, long_guesses[m - 5 if m < 24 else 19], 0)
            flat += (4, guess(s4, 4, False), 0, 3, guess(s3, 3, False), 0)
            skeleton = tuple(flat)
            if n <= _MAX_MEMO_LEN:
                self._skeletons[key] = skeleton
        return skeleton[len(skeleton) - 3 * n :]

    def _column(self, word: str, j: int, strict: bool, short: bool, final: bool) -> tuple:
        """The column of the segments ending at ``j`` (see the class docstring).

        Memoised (the forward and the non-strict Viterbi pass ask for the same columns).
        """
        memoise = len(word) <= _MAX_MEMO_LEN
        if memoise:
            key = (word[:j], strict, short, final)
            col = self._col_memo.get(key)
            if col is not None:
                return col
        known = self._known
        if short or j < 5:
            flat = []
            for i in range(j):
                seg = word[i:j]
                kn = known.get(seg)
                whole = final and i == 0
                if kn is not None:
                    flat += (j - i, *self._known_lps(seg, kn, strict, short, whole))
                elif not strict and (short or j - i > 2):
                    flat += (j - i, self._guess_lps(self._suffix_class(seg), min(j - i, 24), whole), 0)
        else:
            seg_memo = self._seg_memo[strict, False, False]
            lo = j - self._longest.get(word[j - 3 : j], 0)
            if strict:
                flat = []
                for i in range(lo if lo > 0 else 0, j - 2):
                    seg = word[i:j]
                    kn = known.get(seg)
                    if kn is not None:
                        entry = seg_memo.get(seg) if i else None
                        if entry is None:
                            entry = self._known_lps(seg, kn, True, False, final and i == 0)
                        flat += (j - i, *entry)
            else:
                # Every segment of 3+ letters gets guesses (entry i: segment i..j), then the known
                # ones are put in. Segments of 1 or 2 letters count only if known.
                flat = list(self._guesses_ending(word[j - 4 : j], j - 2))
                whole_known = False
                for i in range(lo if lo > 0 else 0, j - 2):
                    seg = word[i:j]
                    kn = known.get(seg)
                    if kn is not None:
                        whole = final and i == 0
                        entry = None if whole else seg_memo.get(seg)
                        if entry is None:
                            entry = self._known_lps(seg, kn, False, False, whole)
                        flat[3 * i + 1 : 3 * i + 3] = entry
                        whole_known = whole_known or whole
                if final and not whole_known:
                    flat[1] = self._guess_lps(self._suffix_class(word[:j]), min(j, 24), True)
            for m in (2, 1):
                seg = word[j - m : j]
                kn = known.get(seg)
                if kn is not None:
                    entry = seg_memo.get(seg)
                    if entry is None:
                        entry = self._known_lps(seg, kn, strict, False, False)
                    flat += (m, *entry)
        col = tuple(flat)
        if memoise:
            if len(self._col_memo) >= _MAX_ROWS:
                self._col_memo.clear()
            self._col_memo[key] = col
        return col

    # ------------------------------------------------------------------ forward
    def _forward_row(self, word: str, j: int, short: bool, final: bool, rows: list, opens: list) -> tuple:
        """Row ``j`` of the forward table (see the class docstring), pulled from rows ``0 .. j-1``.

        Returns (all, open): the row and its open part (what unknown segments need; None for
        the last row).
        """
        target: dict = {}
        tget = target.get
        lb = _LOWERBOUND
        fget = self._filtered.get
        set_pos = self._set_pos
        col = iter(self._column(word, j, self.strict, short, final))
        for m, lps, set_key in zip(col, col, col):
            if set_key:  # known morpheme: its finite tags
                pos = set_pos[set_key >> _ID_BITS]
                src = iter(rows[j - m])
                for lp, fid in zip(src, src):
                    fol = fget(set_key | fid)
                    if fol is None:
                        fol = self._filter(set_key | fid)
                    for tag1, lpt, ns in fol:
                        lp1 = lp + lpt + lps[pos[tag1]]
                        if lp1 > tget(ns, lb):  # as HanTa: lp1 > lowerbound and (new or better)
                            target[ns] = lp1
            else:  # unknown: the open-class tags, lp + lpt added up already
                src = iter(opens[j - m])
                for base, pos, ns in zip(src, src, src):
                    lp1 = base + lps[pos]
                    if lp1 > lb and lp1 > tget(ns, lb):  # as HanTa (lp1 may be -inf here)
                        target[ns] = lp1
        if final:
            return tuple([x for item in target.items() for x in item]), None
        return self._activate(target)

    def _activate(self, row: dict) -> tuple:
        """(all, open) source parts of forward ``row``: its unpruned states (within 1 of the 4th best, as HanTa)."""
        if len(row) > 3:
            rowbound = sorted(row.values(), reverse=True)[3] - 1
        else:
            rowbound = _LOWERBOUND
        flat = []
        flat_open = []
        fol_ids = self._fol_by_reach[None]
        open_fols = self._open_fols
        for state, lp in row.items():
            if lp < rowbound:
                continue
            fid = fol_ids.get(state)
            if fid is None:
                fid = self._fol_id(state, None)
            if fid:
                flat += (lp, fid)
                for pos, lpt, ns in open_fols[fid]:
                    flat_open += (lp + lpt, pos, ns)
        return tuple(flat), tuple(flat_open)

    def _forward_rows(self, word: str) -> tuple:
        """HanTa's forward table row ``len(word)``, as ``(state, lp) * n`` (from memoised rows)."""
        wlen = len(word)
        if wlen == 0:
            return (_START_STATE, 0)
        short = wlen < 4
        if wlen <= _MAX_MEMO_LEN:
            memo, memo_open = self._fwd_rows, self._fwd_open
        else:
            memo, memo_open = {}, {}
        start, start_open = self._activate({_START_STATE: 0})
        rows, opens = [start], [start_open]
        for j in range(1, wlen + 1):
            final = j == wlen
            key = (word[:j], short, final)
            row, row_open = _memoised(
                memo, memo_open, key, final, lambda: self._forward_row(word, j, short, final, rows, opens)
            )
            rows.append(row)
            if not final:
                opens.append(row_open)
        return rows[wlen]

    def analyze_forward(self, word: str) -> list:
        """HanTa's ``analyze_forward`` (POS log probabilities), computed row-wise from memoised prefixes."""
        if not self._fast:
            return super().analyze_forward(word)
        prev = iter(self._forward_rows(word))
        # from here on HanTa's own code
        last: dict = {}
        lfinal = self.LP_trans_final
        for state, lp in zip(prev, prev):
            for tag1, lpt in lfinal.get(state, []):
                lp1 = lp + lpt
                if lp1 > _LOWERBOUND:
                    newstate = (state[1], tag1)
                    if newstate not in last or lp1 > last[newstate]:
                        last[newstate] = lp1
        results: dict = {}
        for state in last:
            lp = last[state]
            if lp == -math.inf:
                continue
            pos = -state[1]
            if pos in results:
                results[pos] = logaddexp(results[pos], lp)
            else:
                results[pos] = lp
        result_list = list(results.items())
        result_list.sort(key=itemgetter(1), reverse=True)
        if len(result_list) == 0:
            result_list = [(_UNKNOWN, 0)]
        return result_list

    # ------------------------------------------------------------------ viterbi
    def _viterbi_row(
        self, word: str, j: int, short: bool, final: bool, strict: bool, reach: int, rows: list, opens: list
    ) -> tuple:
        """Row ``j`` of the Viterbi table (see the class docstring), pulled from rows ``0 .. j-1``.

        Returns (all, open) like :meth:`_forward_row`.
        """
        target: dict = {}
        bp: dict = {}
        tget = target.get
        lb = _LOWERBOUND
        fget = self._filtered.get
        set_pos = self._set_pos
        col = iter(self._column(word, j, strict, short, final))
        for m, lps, set_key in zip(col, col, col):
            if set_key:  # known morpheme: its finite tags
                pos = set_pos[set_key >> _ID_BITS]
                src = iter(rows[j - m])
                for lp, fid, code, _ in zip(src, src, src, src):
                    fol = fget(set_key | fid)
                    if fol is None:
                        fol = self._filter(set_key | fid)
                    for tag1, lpt, ns in fol:
                        lp1 = lp + lpt + lps[pos[tag1]]
                        if lp1 > tget(ns, lb):  # as HanTa: lp1 > lowerbound and (new or better)
                            target[ns] = lp1
                            bp[ns] = code
            else:  # unknown: the open-class tags, lp + lpt added up already
                src = iter(opens[j - m])
                for base, pos, ns, code in zip(src, src, src, src):
                    lp1 = base + lps[pos]
                    if lp1 > lb and lp1 > tget(ns, lb):  # as HanTa (lp1 may be -inf here)
                        target[ns] = lp1
                        bp[ns] = code
        if final:
            return tuple([x for state, lp in target.items() for x in (state, lp, bp[state])]), None
        return self._activate_viterbi(target, bp, j, reach)

    def _activate_viterbi(self, row: dict, bp: dict, i: int, reach: int) -> tuple:
        """Like :meth:`_activate`, with codes and backpointers; ``i`` is the row's index."""
        if len(row) > 3:
            rowbound = sorted(row.values(), reverse=True)[3] - 1
        else:
            rowbound = _LOWERBOUND
        flat = []
        flat_open = []
        fol_ids = self._fol_by_reach.get(reach) or {}
        open_fols = self._open_fols
        state_ids = self._state_ids
        base = i << _ID_BITS
        for state, lp in row.items():
            if lp < rowbound:
                continue
            fid = fol_ids.get(state)
            if fid is None:
                fid = self._fol_id(state, reach)
            if fid:
                code = base | state_ids[state]
                flat += (lp, fid, code, bp.get(state, -1))
                for pos, lpt, ns in open_fols[fid]:
                    flat_open += (lp + lpt, pos, ns, code)
        return tuple(flat), tuple(flat_open)

    def _viterbi_rows(self, word: str, strict: bool, reach: int) -> list:
        """HanTa's Viterbi table rows 0 .. len(word) for one pass (from memoised rows)."""
        wlen = len(word)
        short = wlen < 4
        if wlen <= _MAX_MEMO_LEN:
            memo, memo_open = self._vit_rows, self._vit_open
        else:
            memo, memo_open = {}, {}
        start, start_open = self._activate_viterbi({_START_STATE: 0}, {}, 0, reach)
        rows, opens = [start], [start_open]
        live = [0] if start else []  # rows with states to continue from
        known = self._known
        for j in range(1, wlen + 1):
            final = j == wlen
            key = (word[:j], short, final, strict, reach)

            def compute() -> tuple[tuple, tuple]:
                if strict and not any(word[i:j] in known for i in reversed(live)):
                    # no known morpheme continues a path to here: the row is empty (common, as
                    # the strict pass mostly fails on misspellings)
                    return (), ()
                return self._viterbi_row(word, j, short, final, strict, reach, rows, opens)

            row, row_open = _memoised(memo, memo_open, key, final, compute)
            rows.append(row)
            if not final:
                opens.append(row_open)
                if row:
                    live.append(j)
        if wlen == 0:
            rows[0] = (_START_STATE, 0, -1)
        return rows

    def analyze_viterbi(self, word: str, targetpos: int) -> list:
        """HanTa's ``analyze_viterbi`` (best morpheme path for ``targetpos``), row-wise from memoised prefixes."""
        if not self._fast:
            return super().analyze_viterbi(word, targetpos)
        wlen = len(word)
        lfinal = self.LP_trans_final
        reach = self._reach_id(targetpos)
        for localstrict in (True, False):
            rows = self._viterbi_rows(word, localstrict, reach)
            prev = iter(rows[wlen])
            # from here on HanTa's own code, with backpointers decoded
            last: dict = {}
            lastbp: dict = {}
            for state, lp, _ in zip(prev, prev, prev):
                for tag1, lpt in lfinal.get(state, []):
                    if tag1 == targetpos:
                        lp1 = lp + lpt
                        if lp1 > _LOWERBOUND:
                            newstate = (state[1], tag1)
                            if newstate not in last or lp1 > last[newstate]:
                                last[newstate] = lp1
                                lastbp[newstate] = (state, wlen)
                        break
            if len(last) > 0:
                break
        pmax = -math.inf
        beststate = (_EMPTY, _EMPTY)
        for state in last:
            lp = last[state]
            if lp > pmax:
                pmax = lp
                beststate = state
        i = wlen + 1
        if beststate == (_EMPTY, _EMPTY):
            states = [((_UNKNOWN, _END_UNKNOWN), i), ((_START, _UNKNOWN), i - 1)]
        else:
            states = [(beststate, i)]
            state, i = lastbp[beststate]
            if i > 0:
                states.append((state, i))
                last_row = rows[wlen]
                back = last_row[last_row.index(state) + 2]  # (state, lp, back) triples
                while True:
                    i, state = back >> _ID_BITS, self._states[back & _ID_MASK]
                    if i == 0:
                        break
                    states.append((state, i))
                    # (lp, fol_id, code, back) entries: this state's code, then its back
                    row = rows[i]
                    back = row[row.index((i << _ID_BITS) | self._state_ids[state], 2) + 1]
            states.append((state, i))
            states = states[:-1]
        return [(state[1], i) for (state, i) in states[::-1]]
