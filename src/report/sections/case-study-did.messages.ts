/** Messages of the case study's difference-in-differences (case-study-did.ts): the catalogue, data only. */

export const MESSAGES = {
  en: {
    row: 'Difference ({segment} − rest)',
    finding: 'Difference-in-differences for {label}: {segment}’s change minus the rest of the company’s is {estimate} (95% CI {ci}; {verdict}).',
    findingNoTest: 'Difference-in-differences for {label}: {segment}’s change minus the rest of the company’s is {estimate} (no interval: a window has no estimate of its error).',
    significant: 'significant, {p}',
    notSignificant: 'not significant, {p}',
    holds: 'Parallel trends: in the {k} {units} before {from}, the gap between {segment} and the rest moved {slope} per {unit} ({p}), consistent with the assumption.',
    fails: 'Parallel-trends check failed for {label}: in the {k} {units} before {from}, {segment} was already {direction} the rest of the company by {size} per {unit} ({p}; slopes {segSlope} vs {restSlope}). The difference-in-differences of {estimate} therefore also carries that earlier drift, and is not the programme’s effect alone.',
    gaining: 'gaining on',
    losing: 'losing ground to',
    unchecked: 'Parallel trends for {label} could not be checked: the before window has fewer than 3 {units} with data for both groups.',
  },
  'zh-CN': {
    row: '差异（{segment} − 其余部分）',
    finding: '{label}的双重差分：{segment}的变化减去公司其余部分的变化为 {estimate}（95% 置信区间 {ci}；{verdict}）。',
    findingNoTest: '{label}的双重差分：{segment}的变化减去公司其余部分的变化为 {estimate}（某一窗口没有误差估计，无法给出区间）。',
    significant: '显著，{p}',
    notSignificant: '不显著，{p}',
    holds: '平行趋势：在{from}之前的 {k} 个{units}内，{segment}与其余部分的差距每{unit}变化 {slope}（{p}），符合该假设。',
    fails: '{label}的平行趋势检验未通过：在{from}之前的 {k} 个{units}内，{segment}相对公司其余部分已每{unit}{direction} {size}（{p}；斜率 {segSlope} 对 {restSlope}）。因此 {estimate} 的双重差分也包含了此前的趋势差异，并不只是该项目本身的效果。',
    gaining: '追近',
    losing: '落后',
    unchecked: '无法检验{label}的平行趋势：干预前窗口中两组均有数据的{units}少于 3 个。',
  },
};
