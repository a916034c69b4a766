/**
 * The demo project: short product reviews in the seven worker languages, to be sorted by sentiment.
 * Written for Tessera. Rows with `gold` are gold tasks (the expected answer and why).
 */
export const DEMO_PROJECT = {
  name: 'demo-review-sentiment',
  type: 'categorization',
  params: {
    categories: ['positive', 'negative', 'neutral'],
    category_descriptions: {
      positive: 'The writer is pleased overall',
      negative: 'The writer is unhappy overall',
      neutral: 'Neither, or only facts',
    },
  },
  instructions: {
    en: '# Review sentiment\n\nRead the review and choose how the writer feels **overall**.\n\n- **positive**: pleased, would recommend\n- **negative**: unhappy, complains\n- **neutral**: facts only, or mixed evenly\n\nPress 1, 2 or 3 to choose, Enter to submit.',
    fr: "# Sentiment des avis\n\nLisez l'avis et choisissez ce que ressent l'auteur **dans l'ensemble**.\n\n- **positive** : satisfait\n- **negative** : mécontent\n- **neutral** : des faits, ou un avis partagé\n\nAppuyez sur 1, 2 ou 3, puis Entrée.",
    es: '# Sentimiento de reseñas\n\nLee la reseña y elige cómo se siente el autor **en general**.\n\n- **positive**: satisfecho\n- **negative**: descontento\n- **neutral**: solo hechos, o mixto\n\nPulsa 1, 2 o 3 y luego Intro.',
    pt: '# Sentimento de avaliações\n\nLeia a avaliação e escolha como o autor se sente **no geral**.\n\n- **positive**: satisfeito\n- **negative**: insatisfeito\n- **neutral**: só fatos, ou misto\n\nPressione 1, 2 ou 3 e depois Enter.',
    ja: '# レビューの感情\n\nレビューを読み、書き手の**全体的な**気持ちを選んでください。\n\n- **positive**: 満足\n- **negative**: 不満\n- **neutral**: 事実のみ、または半々\n\n1・2・3 で選び、Enter で送信します。',
    ko: '# 리뷰 감정\n\n리뷰를 읽고 작성자의 **전체적인** 감정을 고르세요.\n\n- **positive**: 만족\n- **negative**: 불만\n- **neutral**: 사실만, 또는 반반\n\n1, 2, 3으로 고르고 Enter로 제출합니다.',
    ar: '# مشاعر المراجعات\n\nاقرأ المراجعة واختر شعور الكاتب **بشكل عام**.\n\n- **positive**: راضٍ\n- **negative**: غير راضٍ\n- **neutral**: حقائق فقط أو رأي متوازن\n\nاضغط 1 أو 2 أو 3 ثم Enter.',
  },
  overlap: { min: 3, max: 5 },
  gold_rate: 0.1,
  pay: { currency: 'USD', piece_rate_minor: 5, promised_hourly_minor: 1500, estimated_seconds: 12 },
  languages: [] as string[],
};

type Row = { text: string; lang: string; gold?: 'positive' | 'negative' | 'neutral'; why?: string };

export const DEMO_REVIEWS: Row[] = [
  { text: 'Battery lasts two full days. Best phone I have owned.', lang: 'en', gold: 'positive', why: 'Praise with no complaint.' },
  { text: 'Arrived broken and support never answered my emails.', lang: 'en', gold: 'negative', why: 'A defect and bad service.' },
  { text: 'The box contains the kettle, a base and a manual.', lang: 'en', gold: 'neutral', why: 'Only facts about the contents.' },
  { text: 'Comfortable shoes, I wear them every day.', lang: 'en' },
  { text: 'Stopped working after a week. Waste of money.', lang: 'en' },
  { text: 'It is blue and weighs about 300 grams.', lang: 'en' },
  { text: 'Great sound for the price, though the case scratches easily.', lang: 'en' },
  { text: 'Livraison rapide et produit conforme, je recommande.', lang: 'fr', gold: 'positive', why: 'Fast delivery and recommended.' },
  { text: "Trop petit, la taille ne correspond pas du tout.", lang: 'fr' },
  { text: "Le colis contient deux câbles et un chargeur.", lang: 'fr' },
  { text: 'Muy buena calidad, volvería a comprarlo.', lang: 'es' },
  { text: 'La pantalla se rompió al segundo día.', lang: 'es', gold: 'negative', why: 'The product broke quickly.' },
  { text: 'Mide treinta centímetros de ancho.', lang: 'es' },
  { text: 'Produto excelente, chegou antes do prazo.', lang: 'pt' },
  { text: 'Veio com defeito e a troca demorou um mês.', lang: 'pt' },
  { text: 'A embalagem tem duas unidades.', lang: 'pt' },
  { text: 'とても使いやすく、毎日使っています。', lang: 'ja' },
  { text: '説明書が分かりにくく、すぐに壊れました。', lang: 'ja' },
  { text: '色は黒で、重さは約一キロです。', lang: 'ja', gold: 'neutral', why: 'Colour and weight only.' },
  { text: '배송이 빠르고 품질도 좋아요.', lang: 'ko' },
  { text: '사이즈가 너무 작아서 반품했어요.', lang: 'ko' },
  { text: '상자에는 본체와 충전기가 들어 있습니다.', lang: 'ko' },
  { text: 'منتج رائع وسعره مناسب جداً.', lang: 'ar' },
  { text: 'وصل المنتج متأخراً ومكسوراً.', lang: 'ar', gold: 'negative', why: 'Late and broken.' },
  { text: 'اللون أبيض والحجم متوسط.', lang: 'ar' },
  { text: 'Works as described. Nothing more to say.', lang: 'en' },
  { text: 'I love the colours, my daughter is thrilled!', lang: 'en' },
  { text: 'The app keeps crashing since the last update.', lang: 'en' },
  { text: 'Delivered on Tuesday in a brown box.', lang: 'en' },
  { text: 'Excellent rapport qualité-prix.', lang: 'fr' },
  { text: 'No funciona con mi ordenador.', lang: 'es' },
  { text: 'Recomendo a todos, muito bom!', lang: 'pt' },
  { text: '値段の割に音がとても良い。', lang: 'ja' },
  { text: '냄새가 심해서 사용할 수 없어요.', lang: 'ko' },
  { text: 'خدمة العملاء ممتازة وسريعة.', lang: 'ar' },
  { text: 'The manual is 40 pages long.', lang: 'en' },
];
