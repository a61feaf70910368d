// WHO 2006 z-scores in the browser, for the offline posyandu session: the same rules, in the same
// operation order, as tumbuh.growth (who2006.py, lms.py), over the same LMS tables (served as
// measurements/who2006-lms.json, generated from tumbuh/growth/data). Rule numbers refer to
// /work/shared/reference/who-growth-algorithm.md. A test runs this file in node over thousands of
// generated children and compares every digit with the server (tests/measurements/test_offline_growth.py).
//
// Only what the session screen needs: length/height-, weight-, BMI- and arm circumference-for-age,
// weight-for-length/height, their flags, the Permenkes 2/2020 categories, BGM and the row's own
// warnings (plus the two that compare with the child's previous visit).
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.TumbuhGrowth = api;
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  var DAYS_PER_MONTH = 30.4375;
  var LAST_DAY = 1856;
  var LYING = "l", STANDING = "h";

  function num(v) {
    return v === null || v === undefined || v === "" ? NaN : Number(v);
  }

  // Rule 15: R's round(x, 2).
  function roundR(x) {
    if (Number.isNaN(x)) return NaN;
    var a = Math.abs(x);
    var x10 = a * 100.0;
    var f = Math.floor(x10);
    var lo = f / 100.0;
    var hi = Math.ceil(x10) / 100.0;
    var dlo = a - lo, dhi = hi - a;
    var takeHi = dhi < dlo;
    if (dhi === dlo) takeHi = f % 2 === 1;
    var out = takeHi ? hi : lo;
    out = x < 0 || Object.is(x, -0) ? -out : out;
    return out + 0.0;
  }

  function sdCurve(l, m, s, k) {
    return m * Math.pow(1 + l * s * k, 1 / l); // rule 9: SDk
  }

  // Rule 9 on one value.
  function restrict(z, y, l, m, s) {
    if (z > 3) {
      var sd3 = sdCurve(l, m, s, 3);
      return 3 + (y - sd3) / (sd3 - sdCurve(l, m, s, 2));
    }
    if (z < -3) {
      var sd3neg = sdCurve(l, m, s, -3);
      return -3 + (y - sd3neg) / (sdCurve(l, m, s, -2) - sd3neg);
    }
    return z;
  }

  function at(arr, i) {
    var v = arr[i];
    return v === null || v === undefined ? NaN : v;
  }

  function ageZ(table, sex, day, y, restricted) {
    // Rules 8-9 and 10 for an age-based indicator (table by exact rounded day).
    if (!(y > 0)) return NaN;
    var offset = day - table.first;
    if (!(offset >= 0 && offset < table.size)) return NaN;
    var i = (sex - 1) * table.size + offset;
    var l = at(table.l, i), m = at(table.m, i), s = at(table.s, i);
    var z;
    if (table.l_is_one) z = (y / m - 1) / s;
    else z = (Math.pow(y / m, l) - 1) / (s * l);
    if (restricted && Math.abs(z) > 3) z = restrict(z, y, l, m, s);
    return z;
  }

  function lengthRow(table, sex, tenth) {
    var offset = tenth - table.first;
    if (!(offset >= 0 && offset < table.size)) return null;
    return (sex - 1) * table.size + offset;
  }

  // Rules 12-14 and 9: weight-for-length/height.
  function wflZ(tables, sex, day, months, weight, clenhei, cmeasure, oedema) {
    var useH, useL;
    if (!Number.isNaN(day)) {
      useH = day >= 731;
      useL = day < 731;
    } else if (cmeasure === STANDING) { useH = true; useL = false; }
    else if (cmeasure === LYING) { useH = false; useL = true; }
    else { useH = clenhei >= 87; useL = clenhei < 87; }
    var valid = (useL && clenhei >= 45 && clenhei <= 110) || (useH && clenhei >= 65 && clenhei <= 120);
    if (!valid || oedema || day > LAST_DAY || months >= 60) return NaN;
    var table = useH ? tables.wfh : tables.wfl;
    var x10 = clenhei * 10;
    var k = Math.trunc(x10);
    var kUp = Math.trunc(x10 + 1);
    var diff = (clenhei - k / 10) / 0.1;
    var i = lengthRow(table, sex, k);
    var j = lengthRow(table, sex, kUp);
    var p = {};
    ["l", "m", "s"].forEach(function (name) {
      var low = i === null ? NaN : at(table[name], i);
      var up = j === null ? NaN : at(table[name], j);
      p[name] = diff > 0 ? low + diff * (up - low) : low;
    });
    var z = (Math.pow(weight / p.m, p.l) - 1) / (p.s * p.l);
    return restrict(z, weight, p.l, p.m, p.s);
  }

  function flag(z, low, high) {
    if (Number.isNaN(z)) return null;
    return z < low || z > high ? 1 : 0;
  }

  function sexCode(sex) {
    if (sex === 1 || sex === "1" || sex === "M" || sex === "m") return 1;
    if (sex === 2 || sex === "2" || sex === "F" || sex === "f") return 2;
    return 0;
  }

  function orNull(x) {
    return Number.isNaN(x) ? null : x;
  }

  // One child, as anthro_zscore_row: {sex, age_days, weight, lenhei, measure, oedema, armc}.
  function zscores(tables, input) {
    var sex = sexCode(input.sex);
    var rawDay = num(input.age_days);
    var weight = num(input.weight), lenhei = num(input.lenhei), armc = num(input.armc);
    var measure = input.measure === LYING || input.measure === STANDING ? input.measure : "";
    var oedema = !!input.oedema;
    if (rawDay < 0) rawDay = NaN;
    var day = Number.isNaN(rawDay) ? NaN : Math.floor(rawDay) + (rawDay - Math.floor(rawDay) >= 0.5 ? 1 : 0);
    var months = rawDay / DAYS_PER_MONTH;
    var c9mo = measure === STANDING && months < 9; // rule 5
    var cmeasure = c9mo ? "" : measure;
    var clenhei = lenhei; // rule 6
    if (day < 731 && cmeasure === STANDING) clenhei = lenhei + 0.7;
    else if (day >= 731 && cmeasure === LYING) clenhei = lenhei - 0.7;
    var h = clenhei / 100;
    var cbmi = weight / (h * h); // rule 7
    var out = { clenhei: orNull(clenhei), cbmi: orNull(cbmi), cmeasure: cmeasure || null, c9mo_flag: c9mo ? 1 : 0 };
    var ageOk = sex !== 0 && months < 60 && day >= 0 && day <= LAST_DAY;
    var a = tables.age;
    function age(name, y, restricted) {
      return ageOk ? roundR(ageZ(a[name], sex, day, y, restricted)) : NaN;
    }
    var zlen = age("lhfa", clenhei, false);
    var zwei = age("wfa", oedema ? NaN : weight, true); // rule 11
    var zbmi = age("bfa", oedema ? NaN : cbmi, true);
    var zac = age("acfa", armc, true);
    var zwfl = sex === 0 ? NaN : roundR(wflZ(tables.length, sex, day, months, weight, clenhei, cmeasure, oedema));
    out.zlen = orNull(zlen); out.flen = flag(zlen, -6, 6);
    out.zwei = orNull(zwei); out.fwei = flag(zwei, -6, 5);
    out.zwfl = orNull(zwfl); out.fwfl = flag(zwfl, -5, 5);
    out.zbmi = orNull(zbmi); out.fbmi = flag(zbmi, -5, 5);
    out.zac = orNull(zac); out.fac = flag(zac, -5, 5);
    return out;
  }

  // Permenkes 2/2020 bands (tumbuh.growth.categories), "" when z is missing.
  function band(z, edges, top) {
    if (z === null || Number.isNaN(z)) return "";
    for (var i = 0; i < edges.length; i++) {
      var e = edges[i];
      if (e[2] ? z <= e[1] : z < e[1]) return e[0];
    }
    return top;
  }
  var WFA = [["severely_underweight", -3, false], ["underweight", -2, false], ["normal", 1, true]];
  var LFA = [["severely_stunted", -3, false], ["stunted", -2, false], ["normal", 3, true]];
  var WFL = [["severely_wasted", -3, false], ["wasted", -2, false], ["normal", 1, true],
    ["possible_risk_of_overweight", 2, true], ["overweight", 3, true]];
  var categories = {
    weight_for_age: function (z) { return band(z, WFA, "risk_of_overweight"); },
    length_for_age: function (z) { return band(z, LFA, "tall"); },
    weight_for_length: function (z) { return band(z, WFL, "obese"); },
  };

  var OEDEMA_AUX_Z = -3.1;
  var LENGTH_DROP_WARN_CM = 1.5, WEIGHT_CHANGE_WARN = 0.25, WEIGHT_CHANGE_WINDOW_DAYS = 60;
  var INDICATORS = [["zlen", "flen", "TB/U"], ["zwei", "fwei", "BB/U"], ["zwfl", "fwfl", "BB/TB"],
    ["zbmi", "fbmi", "IMT/U"], ["zac", "fac", "LiLA/U"]];

  function days(a, b) {
    return Math.round((Date.parse(a + "T00:00:00Z") - Date.parse(b + "T00:00:00Z")) / 86400000);
  }

  function round1(x) { return Math.round(x * 10) / 10; }
  function round2(x) { return Math.round(x * 100) / 100; }

  // What the server derives for one session row (tumbuh.measurements.derivation.compute):
  // entry {date, weight_kg, length_cm, position, arm_circumference_cm, oedema},
  // child {sex: "M"|"F", birth_date}, previous {date, weight_kg, length_adjusted_cm} or null.
  function derive(tables, entry, child, previous) {
    var ageDays = days(entry.date, child.birth_date);
    var hasLength = entry.length_cm !== null && entry.length_cm !== undefined && entry.length_cm !== "";
    var z = zscores(tables, {
      sex: child.sex, age_days: ageDays >= 0 ? ageDays : NaN, weight: entry.weight_kg,
      lenhei: entry.length_cm, measure: hasLength ? entry.position : "", oedema: entry.oedema,
      armc: entry.arm_circumference_cm,
    });
    var warnings = [];
    INDICATORS.forEach(function (ind) {
      if (z[ind[1]] === 1) warnings.push({ code: "implausible", indicator: ind[2], z: z[ind[0]] });
    });
    if (z.c9mo_flag) warnings.push({ code: "standing_before_9m" });
    if (hasLength && entry.position === STANDING && ageDays < 731 && !z.c9mo_flag) warnings.push({ code: "standing_before_24m" });
    if (hasLength && entry.position === LYING && ageDays >= 731) warnings.push({ code: "lying_after_24m" });
    var lengthSuspect = false, weightSuspect = false;
    if (previous) {
      var prevLen = num(previous.length_adjusted_cm), prevW = num(previous.weight_kg);
      var drop = prevLen - num(z.clenhei);
      if (drop > LENGTH_DROP_WARN_CM) {
        lengthSuspect = true;
        warnings.push({ code: "length_decrease", previous_cm: round1(prevLen), drop_cm: round1(drop), previous_on: previous.length_on || previous.date });
      }
      var weight = num(entry.weight_kg);
      var change = Math.abs(weight - prevW) / prevW;
      var gap = days(entry.date, previous.weight_on || previous.date);
      if (change > WEIGHT_CHANGE_WARN && gap <= WEIGHT_CHANGE_WINDOW_DAYS) {
        weightSuspect = true;
        warnings.push({ code: "weight_change", previous_kg: round2(prevW), percent: Math.round(change * 100), previous_on: previous.weight_on || previous.date });
      }
    }
    var confirmed = !!entry.confirm;
    var lenOut = lengthSuspect && !confirmed, wOut = weightSuspect && !confirmed;
    function usable(zc, fc, extra) {
      return z[zc] !== null && !z[fc] && !extra ? z[zc] : null;
    }
    var oedemaWeighed = !!entry.oedema && !Number.isNaN(num(entry.weight_kg));
    var waz = oedemaWeighed ? OEDEMA_AUX_Z : usable("zwei", "fwei", wOut);
    var wfl = oedemaWeighed ? OEDEMA_AUX_Z : usable("zwfl", "fwfl", lenOut || wOut);
    var laz = usable("zlen", "flen", lenOut);
    var wazPlain = usable("zwei", "fwei", wOut);
    return {
      age_days: ageDays,
      z: z,
      length_adjusted_cm: z.clenhei,
      weight_for_age_category: categories.weight_for_age(waz),
      length_for_age_category: categories.length_for_age(laz),
      weight_for_length_category: categories.weight_for_length(wfl),
      below_red_line: wazPlain !== null && wazPlain < -3,
      warnings: warnings,
      // What an entry screen asks to confirm before saving (derivation.CONFIRM_BEFORE_SAVING).
      needs_confirmation: warnings.some(function (w) {
        return w.code === "implausible" || w.code === "length_decrease" || w.code === "weight_change";
      }),
    };
  }

  // The server's checks of a session row (validation.input_errors, the fields the session has):
  // {field: [messages]} with the server's own texts (`S`, rendered into the page with
  // {placeholders}); `sep` the decimal separator of the reader's language.
  function check(tables, entry, child, S, sep) {
    function fill(text, values) {
      return String(text).replace(/\{(\w+)\}/g, function (m, k) { return values[k] === undefined ? m : values[k]; });
    }
    // validation._num and _fix: Python's round (half-even on the exact binary value), then
    // Django's number_format, which truncates the shortest repr of the float to `digits`.
    function numberFormat(x, digits) {
      var parts = String(x).split(".");
      var dec = (parts[1] || "").slice(0, digits);
      while (dec.length < digits) dec += "0";
      return parts[0] + (digits ? sep + dec : "");
    }
    function pyRound(x, digits) {
      var exact = x.toFixed(100).split(".");
      var tail = exact[1].slice(digits);
      if (/^50*$/.test(tail)) { // an exact tie: to the even neighbour
        var kept = Number(exact[0] + exact[1].slice(0, digits));
        return (kept % 2 === 0 ? kept : kept + 1) / Math.pow(10, digits);
      }
      return Number(x.toFixed(digits));
    }
    function fmt(x, digits) { return numberFormat(pyRound(x, digits), digits); }
    function fix(x) {
      var text = x.toFixed(3).replace(/0+$/, "").replace(/\.$/, "");
      return numberFormat(x, (text.split(".")[1] || "").length);
    }
    // Outside 38-130 cm WHO's flag rule decides when the child is known
    // (validation.who_length_problem): a tall 4-year-old at +5.4 SD is a real child.
    function whoLength(l, fallback) {
      if (!tables || !child || l < 3 || l > 300) return fallback;
      var age = days(entry.date, child.birth_date);
      if (!(age >= 0 && age < 1826)) return fallback;
      var z = zscores(tables, { sex: child.sex, age_days: age, lenhei: l, measure: entry.position });
      if (z.zlen !== null && !z.flen) return null;
      if (z.zlen === null) return fill(S.length_who_none, { value: fmt(l, 1) });
      return fill(S.length_who_flag, { value: fmt(l, 1), z: (z.zlen < 0 ? "-" : "+") + fmt(Math.abs(z.zlen), 1) });
    }
    var errors = {};
    function add(field, text) { if (text) (errors[field] = errors[field] || []).push(text); }
    var w = entry.weight_kg, l = entry.length_cm, a = entry.arm_circumference_cm;
    var none = function (v) { return v === null || v === undefined; };
    if (none(w) && none(l) && none(a)) add("weight_kg", S.nothing_measured);
    if (!none(w)) {
      if (w > 200) add("weight_kg", fill(S.weight_grams, { value: fmt(w, 0), fixed: fix(w / 1000) }));
      else if (w < 0.5 || w > 40) add("weight_kg", fill(S.weight_range, { value: fmt(w, 2) }));
    }
    if (!none(l)) {
      var known = entry.position === LYING || entry.position === STANDING;
      if (l > 300) add("length_cm", fill(S.length_mm, { value: fmt(l, 0), fixed: fix(l / 10) }));
      else if (l > 0 && l < 3) add("length_cm", fill(S.length_m, { value: fmt(l, 3), fixed: fix(l * 100) }));
      else if (l < 38 || l > 130) {
        var range = fill(S.length_range, { value: fmt(l, 2) });
        add("length_cm", known ? whoLength(l, range) : range);
      }
      if (!known) add("position", S.position_missing);
    }
    if (!none(a) && (a < 5 || a > 30)) add("arm_circumference_cm", fill(S.arm_range, { value: fmt(a, 2) }));
    return errors;
  }

  return { zscores: zscores, roundR: roundR, derive: derive, check: check, categories: categories };
});
