/* 政策计算器: asks only what the policies still need (POST /v1/needs gives
 * the questions, in order), then shows the decisions (/v1/calculate) and
 * why (/v1/explain).  Nothing is stored: the answers live in this page's
 * memory only. */
(function () {
  "use strict";

  /* Every text the page shows, in one place (docs/calculator.md). */
  var T = {
    loading: "正在载入……",
    householdTitle: "家庭成员",
    householdIntro: "请先告诉我们共同生活的家庭成员：包括您本人。",
    memberCount: "共同生活的家庭成员人数（含本人）",
    memberRelation: "第 {n} 位成员与户主的关系",
    start: "开始",
    questionTitle: "第 {n} 个问题",
    usedFor: "用于判断：",
    next: "下一步",
    unknown: "不知道",
    back: "上一步",
    showResult: "直接查看结果",
    save: "保存修改",
    change: "修改",
    yes: "是",
    no: "否",
    choose: "请选择",
    perMonth: "每月",
    perYear: "每年",
    yuan: "元",
    yuanMonth: "元/月",
    yuanYear: "元/年",
    yuanOnce: "元（一次性）",
    skipped: "不知道",
    remaining: "还需回答约 {n} 个问题。",
    member: "第 {n} 位成员",
    household: "全家",
    resultTitle: "计算结果",
    asOf: "按 {d} 的政策和您填写的信息计算。",
    eligible: "可以享受",
    notEligible: "不符合条件",
    undetermined: "暂时无法确定",
    notApplicable: "不适用",
    none: "无",
    amount: "金额",
    whatChanges: "未满足的条件（满足后才可能符合）：",
    needMore: "还需要了解：",
    answerMore: "回答这些问题",
    why: "详细说明",
    restart: "重新开始",
    changeAnswers: "修改回答",
    working: "正在计算……",
    badMoney: "请填写金额，例如 1500 或 1500.50（最多两位小数）。",
    badInt: "请填写整数。",
    badDecimal: "请填写数字，例如 0.5。",
    badDate: "请填写日期，例如 2024-03-01。",
    badCount: "请填写 1 到 30 之间的整数。",
    badChoice: "请选择一项，或点击“不知道”。",
    required: "请填写，或点击“不知道”。",
    rows: "逐条填写：日期和金额",
    rowDate: "第 {n} 条的日期",
    rowValue: "第 {n} 条的金额（元）",
    addRow: "添加一条",
    removeRow: "删除第 {n} 条",
    listUnsupported: "这一项请到窗口办理时提供；在这里请点击“不知道”。",
    failed: "出错了：",
    netError: "无法连接服务器，请稍后再试。"
  };

  var PERIOD = { month: T.yuanMonth, year: T.yuanYear, once: T.yuanOnce };
  var FIELD_PERIOD = { month: T.perMonth, year: T.perYear };

  var state = {
    catalog: null,     /* GET /v1/policies */
    facts: {},         /* fact name -> its description */
    policies: {},      /* policy name -> its description */
    members: [],       /* [{relation: code or null}] */
    answers: [],       /* [{q: question, value: JSON, skipped: bool}] */
    asOf: null,        /* the date the server evaluates at */
    fresh: {},         /* facts a source gives only fresh: their answers dated */
    questions: [],
    editing: -1        /* index of the answer being changed, or -1 */
  };

  var $ = function (id) { return document.getElementById(id); };
  function fmt(s, o) {
    return s.replace(/\{(\w+)\}/g, function (m, k) { return o[k] !== undefined ? String(o[k]) : m; });
  }
  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") e.textContent = attrs[k];
      else if (k === "hidden") e.hidden = !!attrs[k];
      else if (attrs[k] !== null && attrs[k] !== undefined && attrs[k] !== false) e.setAttribute(k, attrs[k]);
    });
    (kids || []).forEach(function (c) { if (c) e.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return e;
  }
  var uid = 0;
  function newId(p) { uid += 1; return p + "-" + uid; }

  /* ---- the API ---------------------------------------------------------- */
  function api(method, path, body) {
    return fetch(path, {
      method: method,
      headers: body ? { "Content-Type": "application/json; charset=utf-8" } : {},
      body: body ? JSON.stringify(body) : undefined,
      credentials: "omit",
      cache: "no-store"
    }).then(function (r) {
      var isJson = (r.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      return (isJson ? r.json() : r.text()).then(function (d) {
        if (!r.ok) {
          var msg = d && d.error && d.error.message ? d.error.message : String(r.status);
          throw new Error(msg);
        }
        return d;
      });
    }, function () { throw new Error(T.netError); });
  }
  function showError(e) {
    var box = $("error");
    box.textContent = T.failed + (e && e.message ? e.message : String(e));
    box.hidden = false;
  }
  function clearError() { $("error").hidden = true; $("error").textContent = ""; }

  /* ---- the household so far ------------------------------------------- */
  function fieldOf(fact) { return fact.slice(fact.indexOf(".") + 1); }
  function sameQuestion(a, b) { return a.fact === b.fact && (a.member || null) === (b.member || null); }
  function household() {
    var h = { members: state.members.map(function (m) { return m.relation ? { relation: m.relation } : {}; }) };
    state.answers.forEach(function (a) {
      if (a.skipped) return;
      var target = a.q.member ? h.members[a.q.member - 1] : h;
      if (target) target[fieldOf(a.q.fact)] = a.value;
    });
    return h;
  }
  function request(extra) {
    var b = { household: household() };
    Object.keys(extra || {}).forEach(function (k) { b[k] = extra[k]; });
    return b;
  }
  function memberName(n) {
    if (!n) return T.household;
    var m = state.members[n - 1], rel = m && m.relation ? codeLabel("person.relation", m.relation) : "";
    return fmt(T.member, { n: n }) + (rel ? "（" + rel + "）" : "");
  }
  function codeLabel(fact, code) {
    var f = state.facts[fact], c = f && f.codes ? f.codes.filter(function (x) { return x.code === code; })[0] : null;
    return c ? c.label : code;
  }
  function policyLabel(name) { return state.policies[name] ? state.policies[name].label : name; }

  /* ---- step 1: the members ---------------------------------------------- */
  function showHousehold() {
    state.editing = -1;
    var step = $("step");
    step.textContent = "";
    step.appendChild(el("h2", { id: "step-title", tabindex: "-1", text: T.householdTitle }));
    step.appendChild(el("p", { text: T.householdIntro }));
    var form = el("form", { novalidate: "novalidate", "data-step": "household" });
    var countId = newId("count"), countErr = newId("err");
    var count = el("input", { id: countId, name: "count", type: "number", inputmode: "numeric", min: "1", max: "30",
                              step: "1", value: String(state.members.length || 1), "aria-describedby": countErr });
    form.appendChild(el("div", { "class": "field" }, [
      el("label", { "for": countId, text: T.memberCount }), count,
      el("p", { id: countErr, "class": "field-error", hidden: true })]));
    var rels = el("div", { id: "relations" });
    form.appendChild(rels);
    var relFact = state.facts["person.relation"];
    function drawRelations() {
      var n = parseInt(count.value, 10);
      if (!(n >= 1 && n <= 30) || !relFact || !relFact.codes) return;
      var old = Array.prototype.map.call(rels.querySelectorAll("select"), function (s) { return s.value; });
      rels.textContent = "";
      for (var i = 1; i <= n; i++) {
        var id = newId("rel"), sel = el("select", { id: id, name: "relation" + i });
        var cur = old[i - 1] || (state.members[i - 1] && state.members[i - 1].relation) || (i === 1 ? "head" : "");
        sel.appendChild(el("option", { value: "", text: T.choose }));
        relFact.codes.forEach(function (c) {
          sel.appendChild(el("option", { value: c.code, selected: c.code === cur ? "selected" : null, text: c.label }));
        });
        rels.appendChild(el("div", { "class": "field" }, [el("label", { "for": id, text: fmt(T.memberRelation, { n: i }) }), sel]));
      }
    }
    count.addEventListener("input", drawRelations);
    drawRelations();
    form.appendChild(el("div", { "class": "actions" }, [el("button", { type: "submit", "class": "primary", text: T.start })]));
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var n = Number(count.value);
      if (!/^\d+$/.test(count.value.trim()) || n < 1 || n > 30) {
        invalid(count, countErr, T.badCount);
        return;
      }
      var sels = rels.querySelectorAll("select");
      state.members = [];
      for (var i = 0; i < n; i++) state.members.push({ relation: sels[i] && sels[i].value ? sels[i].value : null });
      /* answers about members who are no longer there are dropped */
      state.answers = state.answers.filter(function (a) { return !a.q.member || a.q.member <= n; });
      next();
    });
    step.appendChild(form);
    $("result").textContent = "";
    drawAnswers();
    count.focus();
  }

  function invalid(input, errEl, msg) {
    input.setAttribute("aria-invalid", "true");
    errEl.textContent = msg;
    errEl.hidden = false;
    input.focus();
  }

  /* ---- step 2: the questions, one by one ---------------------------------- */
  function answered(q) {
    return state.answers.some(function (a) { return sameQuestion(a.q, q); });
  }
  function next() {
    clearError();
    busy(true);
    return api("POST", "/v1/needs", request()).then(function (d) {
      busy(false);
      if (d.as_of) state.asOf = d.as_of;
      (d.decisions || []).forEach(function (x) {
        (x.needs || []).forEach(function (n) {
          if ((n.sources || []).some(function (s) { return s.fresh_within; })) state.fresh[n.fact] = true;
        });
      });
      state.questions = (d.questions || []).filter(function (q) { return !answered(q); });
      if (state.questions.length) showQuestion(state.questions[0], -1);
      else showResult();
    }, function (e) { busy(false); showError(e); });
  }

  function busy(on) {
    document.body.setAttribute("aria-busy", on ? "true" : "false");
  }

  /* The input for question Q (its type), filled with VALUE when given.
   * Returns {node, focus, read()} where read() gives {value} or {error, input}. */
  function inputFor(q, value, errId) {
    var id = newId("q"), type = q.type, raw = value && typeof value === "object" && !Array.isArray(value) ? value.value : value;
    var label = el("label", { "for": id, text: q.label });
    var wrap, input;
    if (type === "bool") {
      var name = newId("b"), yesId = newId("y"), noId = newId("n");
      var y = el("input", { type: "radio", name: name, id: yesId, value: "true", checked: raw === true ? "checked" : null });
      var n = el("input", { type: "radio", name: name, id: noId, value: "false", checked: raw === false ? "checked" : null });
      wrap = el("fieldset", { "class": "field choice", "aria-describedby": errId }, [
        el("legend", { text: q.label }),
        el("span", { "class": "option" }, [y, el("label", { "for": yesId, text: T.yes })]),
        el("span", { "class": "option" }, [n, el("label", { "for": noId, text: T.no })])]);
      return { node: wrap, focus: y, read: function () {
        if (y.checked) return { value: true };
        if (n.checked) return { value: false };
        return { error: T.badChoice, input: y };
      } };
    }
    if (type === "code" && q.codes) {
      input = el("select", { id: id, "aria-describedby": errId });
      input.appendChild(el("option", { value: "", text: T.choose }));
      q.codes.forEach(function (c) {
        input.appendChild(el("option", { value: c.code, selected: c.code === raw ? "selected" : null, text: c.label }));
      });
      wrap = el("div", { "class": "field" }, [label, input]);
      return { node: wrap, focus: input, read: function () {
        return input.value ? { value: input.value } : { error: T.badChoice, input: input };
      } };
    }
    if (type === "records") return rowsFor(q, Array.isArray(value) ? value : [], errId);
    if (type === "list") {
      wrap = el("div", { "class": "field" }, [el("p", { id: id, text: q.label }), el("p", { "class": "hint", text: T.listUnsupported })]);
      var skipOnly = { node: wrap, focus: null, read: function () { return { error: T.listUnsupported, input: null }; } };
      return skipOnly;
    }
    var attrs = { id: id, type: "text", "aria-describedby": errId, autocomplete: "off",
                  value: raw === undefined || raw === null ? "" : String(raw) };
    var unit = null, check;
    if (type === "money") {
      attrs.inputmode = "decimal";
      unit = T.yuan + (q.period && FIELD_PERIOD[q.period] ? "（" + FIELD_PERIOD[q.period] + "）" : "");
      check = function (s) { return /^\d+(\.\d{1,2})?$/.test(s) ? { value: s } : { error: T.badMoney }; };
    } else if (type === "int" || type === "duration") {
      attrs.inputmode = "numeric";
      check = function (s) { return /^-?\d+$/.test(s) && Math.abs(Number(s)) < 1e15 ? { value: Number(s) } : { error: T.badInt }; };
    } else if (type === "decimal") {
      attrs.inputmode = "decimal";
      check = function (s) { return /^-?\d+(\.\d{1,6})?$/.test(s) ? { value: s } : { error: T.badDecimal }; };
    } else if (type === "date") {
      attrs.type = "date";
      check = function (s) { return /^\d{4}-\d{2}-\d{2}$/.test(s) ? { value: s } : { error: T.badDate }; };
    } else {
      check = function (s) { return s ? { value: s } : { error: T.required }; };
    }
    input = el("input", attrs);
    var row = unit ? el("span", { "class": "with-unit" }, [input, el("span", { "class": "unit", text: unit })]) : input;
    wrap = el("div", { "class": "field" }, [label, row]);
    return { node: wrap, focus: input, read: function () {
      var r = check(input.value.trim());
      if (r.error) r.input = input;
      return r;
    } };
  }

  /* Records (dated amounts): a row of date and amount for each. */
  function rowsFor(q, value, errId) {
    var list = el("ol", { "class": "rows" });
    var wrap = el("fieldset", { "class": "field", "aria-describedby": errId }, [
      el("legend", { text: q.label }), el("p", { "class": "hint", text: T.rows }), list]);
    function addRow(r) {
      var n = list.children.length + 1, dId = newId("d"), vId = newId("v");
      var d = el("input", { id: dId, type: "date", value: r ? r.date : "" });
      var v = el("input", { id: vId, type: "text", inputmode: "decimal", autocomplete: "off", value: r ? String(r.value) : "" });
      var rm = el("button", { type: "button", "class": "link", text: fmt(T.removeRow, { n: n }) });
      var li = el("li", {}, [
        el("span", { "class": "cell" }, [el("label", { "for": dId, text: fmt(T.rowDate, { n: n }) }), d]),
        el("span", { "class": "cell" }, [el("label", { "for": vId, text: fmt(T.rowValue, { n: n }) }), v]), rm]);
      rm.addEventListener("click", function () { list.removeChild(li); add.focus(); });
      list.appendChild(li);
      return d;
    }
    var add = el("button", { type: "button", text: T.addRow });
    add.addEventListener("click", function () { addRow(null).focus(); });
    wrap.appendChild(add);
    value.forEach(addRow);
    if (!value.length) addRow(null);
    return { node: wrap, focus: list.querySelector("input"), read: function () {
      var out = [], bad = null;
      Array.prototype.forEach.call(list.children, function (li) {
        var ins = li.querySelectorAll("input"), d = ins[0].value.trim(), v = ins[1].value.trim();
        if (!d && !v) return;
        if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) bad = bad || { error: T.badDate, input: ins[0] };
        else if (!/^\d+(\.\d{1,2})?$/.test(v)) bad = bad || { error: T.badMoney, input: ins[1] };
        else out.push({ date: d, value: v });
      });
      return bad || { value: out };
    } };
  }

  /* Show question Q; INDEX is the answer being changed (-1: a new one). */
  function showQuestion(q, index) {
    state.editing = index;
    var step = $("step");
    step.textContent = "";
    var n = index >= 0 ? index + 1 : state.answers.length + 1;
    step.appendChild(el("h2", { id: "step-title", tabindex: "-1", text: fmt(T.questionTitle, { n: n }) }));
    if (q.member) step.appendChild(el("p", { "class": "who", text: memberName(q.member) }));
    var errId = newId("err");
    var old = index >= 0 ? state.answers[index] : null;
    var inp = inputFor(q, old && !old.skipped ? old.value : undefined, errId);
    var form = el("form", { novalidate: "novalidate", "data-fact": q.fact, "data-member": q.member || "",
                            "data-type": q.type });
    form.appendChild(inp.node);
    var err = el("p", { id: errId, "class": "field-error", hidden: true });
    form.appendChild(err);
    if (q.policies && q.policies.length)
      form.appendChild(el("p", { "class": "hint", text: T.usedFor + q.policies.map(policyLabel).join("、") }));
    if (index < 0 && state.questions.length > 1)
      form.appendChild(el("p", { "class": "hint", text: fmt(T.remaining, { n: state.questions.length }) }));
    var skip = el("button", { type: "button", "data-action": "unknown", text: T.unknown });
    var back = el("button", { type: "button", "data-action": "back", text: T.back });
    var result = el("button", { type: "button", "data-action": "result", text: T.showResult });
    form.appendChild(el("div", { "class": "actions" }, [
      el("button", { type: "submit", "class": "primary", "data-action": "next", text: index >= 0 ? T.save : T.next }),
      skip, back, index < 0 ? result : null]));
    function record(a) {
      if (index >= 0) state.answers[index] = a;
      else state.answers.push(a);
      next();
    }
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var r = inp.read();
      if (r.error) {
        err.textContent = r.error;
        err.hidden = false;
        if (r.input) { r.input.setAttribute("aria-invalid", "true"); r.input.focus(); }
        return;
      }
      /* a value the person gives is as of the day of the calculation: it
       * meets the freshness limit of its source */
      var v = state.fresh[q.fact] && state.asOf && q.type !== "records" && q.type !== "list"
        ? { value: r.value, as_of: state.asOf } : r.value;
      record({ q: q, value: v, skipped: false });
    });
    skip.addEventListener("click", function () { record({ q: q, value: null, skipped: true }); });
    back.addEventListener("click", function () {
      if (index > 0) showQuestion(state.answers[index - 1].q, index - 1);
      else if (index === 0) showHousehold();
      else goBack();
    });
    result.addEventListener("click", showResult);
    step.appendChild(form);
    drawAnswers();
    if (index < 0) $("result").textContent = "";
    (inp.focus || $("step-title")).focus();
  }

  /* Back: the last answer is asked again; before the first, the members. */
  function goBack() {
    if (!state.answers.length) showHousehold();
    else showQuestion(state.answers[state.answers.length - 1].q, state.answers.length - 1);
  }

  function showValue(a) {
    if (a.skipped) return T.skipped;
    var v = a.value && typeof a.value === "object" && !Array.isArray(a.value) ? a.value.value : a.value;
    if (Array.isArray(v)) return v.map(function (r) { return r.date + " " + r.value + T.yuan; }).join("；") || T.none;
    if (v === true) return T.yes;
    if (v === false) return T.no;
    if (a.q.type === "code") return codeLabel(a.q.fact, v);
    if (a.q.type === "money") return v + T.yuan;
    return String(v);
  }

  function drawAnswers() {
    var list = $("answer-list");
    list.textContent = "";
    var sec = $("answers");
    sec.hidden = !state.members.length;
    if (!state.members.length) return;
    var li = el("li", { "class": "answer" }, [
      el("span", { "class": "q", text: T.memberCount + "：" }),
      el("span", { "class": "a", text: String(state.members.length) })]);
    var chg = el("button", { type: "button", "class": "link", "aria-label": T.change + "：" + T.memberCount, text: T.change });
    chg.addEventListener("click", showHousehold);
    li.appendChild(chg);
    list.appendChild(li);
    state.answers.forEach(function (a, i) {
      var what = a.q.label + (a.q.member ? "（" + memberName(a.q.member) + "）" : "");
      var b = el("button", { type: "button", "class": "link", "aria-label": T.change + "：" + what, text: T.change });
      b.addEventListener("click", function () { showQuestion(a.q, i); });
      list.appendChild(el("li", { "class": "answer" }, [
        el("span", { "class": "q", text: what + "：" }), el("span", { "class": "a", text: showValue(a) }), b]));
    });
  }

  /* ---- step 3: the result ------------------------------------------------- */
  function showResult() {
    clearError();
    state.editing = -1;
    var res = $("result");
    res.textContent = "";
    res.appendChild(el("p", { text: T.working }));
    busy(true);
    var body = request();
    Promise.all([
      api("POST", "/v1/calculate", body),
      api("POST", "/v1/explain", request({ audience: "citizen", lang: "zh", format: "json" })),
      api("POST", "/v1/explain", request({ audience: "citizen", lang: "zh", format: "text" }))
    ]).then(function (r) {
      busy(false);
      drawResult(r[0], r[1], r[2] && r[2].text ? r[2].text : "");
    }, function (e) { busy(false); res.textContent = ""; showError(e); });
  }

  function key(d) { return d.policy + "/" + (d.member || ""); }

  /* The citizen text of each decision: the text's paragraphs are the
   * decisions in the document's order, each opening with its label. */
  function textBlocks(text, doc) {
    var blocks = text.split(/\n\s*\n/).map(function (b) { return b.replace(/^\n+|\s+$/g, ""); })
      .filter(function (b) { return b; });
    var out = {}, ds = doc && doc.decisions ? doc.decisions : [], j = 0;
    ds.forEach(function (d) {
      for (var k = j; k < blocks.length; k++) {
        if (blocks[k].indexOf(d.label) === 0) { out[key(d)] = blocks[k]; j = k + 1; return; }
      }
    });
    return out;
  }

  function factName(u) {
    return (u.label || u.fact) + (u.member ? "（" + memberName(u.member) + "）" : "");
  }

  function drawResult(calc, doc, text) {
    var res = $("result");
    res.textContent = "";
    var byKey = {};
    (doc && doc.decisions ? doc.decisions : []).forEach(function (d) { byKey[key(d)] = d; });
    var texts = textBlocks(text, doc);
    res.appendChild(el("h2", { id: "result-title", tabindex: "-1", text: T.resultTitle }));
    if (calc.as_of) res.appendChild(el("p", { "class": "hint", text: fmt(T.asOf, { d: calc.as_of }) }));
    var groups = [["eligible", T.eligible], ["undetermined", T.undetermined], ["not_eligible", T.notEligible],
                  ["not_applicable", T.notApplicable]];
    groups.forEach(function (g) {
      var ds = (calc.decisions || []).filter(function (d) { return d.status === g[0]; });
      var list = el("ul", { "class": "decisions" });
      ds.forEach(function (d) { list.appendChild(decisionItem(d, byKey[key(d)], texts[key(d)])); });
      var sec = el("section", { "class": "group " + g[0], "data-status": g[0] }, [
        el("h3", { text: g[1] + "（" + ds.length + "）" }), ds.length ? list : el("p", { text: T.none })]);
      if (g[0] === "not_applicable") {
        sec = el("details", { "class": "group " + g[0], "data-status": g[0] }, [
          el("summary", { text: g[1] + "（" + ds.length + "）" }), ds.length ? list : el("p", { text: T.none })]);
      }
      res.appendChild(sec);
    });
    var again = el("button", { type: "button", text: T.changeAnswers });
    again.addEventListener("click", function () {
      if (state.answers.length) showQuestion(state.answers[state.answers.length - 1].q, state.answers.length - 1);
      else showHousehold();
    });
    var restart = el("button", { type: "button", text: T.restart });
    restart.addEventListener("click", function () {
      state.members = []; state.answers = []; state.questions = [];
      $("result").textContent = "";
      showHousehold();
    });
    res.appendChild(el("div", { "class": "actions" }, [again, restart]));
    var step = $("step");
    step.textContent = "";
    drawAnswers();
    $("result-title").focus();
  }

  function decisionItem(d, x, text) {
    var period = d.period || (state.policies[d.policy] ? state.policies[d.policy].period : null);
    var li = el("li", { "class": "decision", "data-policy": d.policy, "data-member": d.member || "",
                        "data-status": d.status, "data-amount": d.amount === null || d.amount === undefined ? "" : d.amount,
                        "data-period": d.amount === null || d.amount === undefined ? "" : (period || "") });
    li.appendChild(el("h4", { text: d.label + (d.entity === "person" ? " · " + memberName(d.member) : "") }));
    if (d.status === "eligible" && d.amount !== null && d.amount !== undefined)
      li.appendChild(el("p", { "class": "amount" }, [T.amount + "：", el("strong", { text: d.amount }), " " + (PERIOD[period] || T.yuan)]));
    if (d.status === "not_eligible" && x && x.why_not && x.why_not.length) {
      var ul = el("ul", {});
      x.why_not.forEach(function (c) { if (c.message) ul.appendChild(el("li", { text: c.message })); });
      if (ul.children.length) li.appendChild(el("div", { "class": "change" }, [el("p", { text: T.whatChanges }), ul]));
    }
    if (d.status === "undetermined") {
      var facts = x && x.undetermined && x.undetermined.unknown_facts ? x.undetermined.unknown_facts : [];
      if (facts.length) {
        var fl = el("ul", {});
        facts.forEach(function (u) { fl.appendChild(el("li", { text: factName(u) })); });
        li.appendChild(el("div", { "class": "change" }, [el("p", { text: T.needMore }), fl]));
        if (facts.some(function (u) { return state.facts[u.fact]; })) {
          var more = el("button", { type: "button", "data-action": "answer-more", text: T.answerMore });
          more.addEventListener("click", function () { askAgain(facts); });
          li.appendChild(more);
        }
      } else if (d.reason) {
        li.appendChild(el("p", { text: d.reason }));
      }
    }
    if (text) li.appendChild(el("details", { "class": "why" }, [el("summary", { text: T.why }), el("p", { "class": "text", text: text })]));
    return li;
  }

  /* The facts an undetermined decision waits on, asked again even where
   * the person said they did not know. */
  function askAgain(facts) {
    state.answers = state.answers.filter(function (a) {
      return !(a.skipped && facts.some(function (u) { return sameQuestion(a.q, { fact: u.fact, member: u.member }); }));
    });
    $("result").textContent = "";
    next();
  }

  /* ---- start -------------------------------------------------------------- */
  api("GET", "/v1/policies").then(function (c) {
    state.catalog = c;
    (c.facts || []).forEach(function (f) { state.facts[f.name] = f; });
    (c.policies || []).forEach(function (p) { state.policies[p.name] = p; });
    showHousehold();
  }, function (e) {
    $("step-title").textContent = T.resultTitle;
    showError(e);
  });
})();
