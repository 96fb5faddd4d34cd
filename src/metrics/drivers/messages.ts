/** The key-drivers analysis's text in each report locale (see localTranslator in kernel/i18n.ts). */
export const MESSAGES = {
  en: {
    method:
      'Relative importance of each driver for the individual {label} answers: the Shapley decomposition of R² (LMG; Lindeman, Merenda & Gold 1980; Grömping 2006) of the OLS regression of the answer on the {count} drivers, exact over all {subsets} subsets, each R² from the pooled correlation matrix; on complete cases over {periods}. ' +
      "Shares in percent of R² with 95% percentile bootstrap intervals ({resamples} resamples of the answers, seeded Mulberry32 generator, seed {seed}). Beside them Johnson's (2000) relative weights and the correlation r of each driver with the answer.",
  },
  'zh-CN': {
    method:
      '各驱动因素对单个{label}回答的相对重要性：将回答对{count}个驱动因素做 OLS 回归，对其 R² 做 Shapley 分解（LMG；Lindeman、Merenda 与 Gold 1980；Grömping 2006），对全部{subsets}个子集精确计算，每个子集的 R² 由合并后的相关矩阵求得；基于{periods}内的完整个案。' +
      '份额以 R² 的百分比表示，附 95% 百分位自助法区间（对回答有放回重抽样{resamples}次，带种子的 Mulberry32 生成器，随机种子{seed}）。同时列出 Johnson（2000）相对权重及各驱动因素与回答的相关系数 r。',
  },
} as const;
