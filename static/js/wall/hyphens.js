// Long Danish and English words hyphenated on the wall, offline, where they would not fit their
// line whole: soft hyphens from TeX's patterns
// (vendor/hyphen: the `hyphen` package and its hyph-da and hyph-en-us patterns). Chromium's own
// `hyphens: auto` downloads its dictionaries and, on a venue LAN, does nothing.
// The patterns are classic scripts loaded before this module (wall.html): window.createHyphenator,
// window.hyphenationPatternsDa, window.hyphenationPatternsEnUs.

var SOFT = "\u00ad";
var DANISH = /[æøå]|\b(og|at|i|på|med|til|er|en|et|det|der|som|skal|vi|flere|mere|ikke|kan|have|bør|vores|jeres)\b/giu;
var ENGLISH = /\b(the|and|of|to|for|with|is|a|an|more|should|we|our|can|be|in|on|not|have|better)\b/giu;
var hyphenators = {};
var done = new Map();  // text -> hyphenated: the wall redraws its pages every few seconds
var DONE_MAX = 5000;

function hyphenator(lang) {
  if (!(lang in hyphenators)) {
    var patterns = lang === "da" ? window.hyphenationPatternsDa : window.hyphenationPatternsEnUs;
    hyphenators[lang] = window.createHyphenator && patterns
      ? window.createHyphenator(patterns, { hyphenChar: SOFT, html: false, minWordLength: 8 }) : null;
  }
  return hyphenators[lang];
}

// The language a text reads in: Danish letters or more Danish than English little words; else the
// wall's own language decides.
export function languageOf(text, fallback) {
  var da = (text.match(DANISH) || []).length, en = (text.match(ENGLISH) || []).length;
  return da > en ? "da" : en > da ? "en" : fallback;
}

// A break that leaves one letter alone on a line ("bor-ge-r-ind-dra-gel-se") reads badly: keep the
// letter with the syllable before it ("bor-ger-ind-dra-gel-se"); nor may a line start with a word's
// last one or two letters ("fritidsordninger-ne").
function tidy(text) {
  return text.replace(new RegExp(SOFT + "(\\p{L})(?=" + SOFT + ")", "gu"), "$1")
    .replace(new RegExp(SOFT + "(\\p{L}{1,2})(?!\\p{L}|" + SOFT + ")", "gu"), "$1");  // "-ne" alone: no
}

// The text with soft hyphens where its long words may break; unchanged without the patterns.
export function hyphenate(text, lang) {
  var key = lang + "|" + text;
  var known = done.get(key);
  if (known !== undefined) { return known; }
  var hyphenate_ = hyphenator(lang);
  var result = hyphenate_ ? tidy(hyphenate_(text)) : text;
  if (done.size >= DONE_MAX) { done.clear(); }
  done.set(key, result);
  return result;
}

var measure = null;

// Set an element's text, with its language (screen readers read it rightly), hyphenating only the
// words wider than `width` px in `font` (the text stays as written wherever it fits).
export function setHyphenated(element, text, fallback, font, width) {
  var lang = languageOf(text, fallback);
  measure = measure || document.createElement("canvas").getContext("2d");
  measure.font = font;
  element.textContent = text.replace(/\S{8,}/gu, function (word) {
    return measure.measureText(word).width > width ? hyphenate(word, lang) : word;
  });
  element.lang = lang;
  return element;
}
