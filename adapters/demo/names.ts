// Names for the demo province: the districts and communes of Bến Tre as they were before the 2025
// reorganisation (a Phòng GDĐT per district), and the people and flowers Vietnamese schools are
// named after. Data only, plus `slug`, which turns a Vietnamese name into a readable unit id.

export interface DistrictNames {
  /** As written after "Phòng GDĐT": "Châu Thành", "Thành phố Bến Tre". */
  name: string;
  /** The id part: "chau-thanh", "tp-ben-tre". */
  slug: string;
  /** Communes, wards and the district town; most schools are named after the one they serve. */
  communes: readonly string[];
}

export interface ProvinceNames {
  /** "Bến Tre" (Sở GDĐT Bến Tre). */
  name: string;
  /** Short id part of the Sở: "bt" (so-bt). */
  abbreviation: string;
  districts: readonly DistrictNames[];
}

export const BEN_TRE: ProvinceNames = {
  name: 'Bến Tre',
  abbreviation: 'bt',
  districts: [
    {
      name: 'Châu Thành',
      slug: 'chau-thanh',
      communes: ['Thị trấn Châu Thành', 'Tân Thạch', 'An Khánh', 'Phú An Hòa', 'Tam Phước', 'Tiên Thủy', 'Quới Sơn', 'Giao Long', 'An Hóa', 'Phú Túc', 'Tường Đa', 'Sơn Hòa', 'Hữu Định', 'Phước Thạnh', 'Tân Phú', 'Tiên Long', 'Thành Triệu', 'Quới Thành', 'An Phước', 'Phú Đức'],
    },
    {
      name: 'Chợ Lách',
      slug: 'cho-lach',
      communes: ['Thị trấn Chợ Lách', 'Hòa Nghĩa', 'Hưng Khánh Trung B', 'Long Thới', 'Phú Phụng', 'Phú Sơn', 'Sơn Định', 'Tân Thiềng', 'Vĩnh Bình', 'Vĩnh Hòa', 'Vĩnh Thành'],
    },
    {
      name: 'Mỏ Cày Nam',
      slug: 'mo-cay-nam',
      communes: ['Thị trấn Mỏ Cày', 'An Định', 'An Thạnh', 'An Thới', 'Bình Khánh', 'Cẩm Sơn', 'Định Thủy', 'Đa Phước Hội', 'Hương Mỹ', 'Minh Đức', 'Ngãi Đăng', 'Phước Hiệp', 'Tân Hội', 'Tân Trung', 'Thành Thới A', 'Thành Thới B'],
    },
    {
      name: 'Mỏ Cày Bắc',
      slug: 'mo-cay-bac',
      communes: ['Phước Mỹ Trung', 'Hòa Lộc', 'Hưng Khánh Trung A', 'Khánh Thạnh Tân', 'Nhuận Phú Tân', 'Phú Mỹ', 'Tân Bình', 'Tân Phú Tây', 'Tân Thanh Tây', 'Tân Thành Bình', 'Thành An', 'Thanh Tân', 'Thạnh Ngãi'],
    },
    {
      name: 'Giồng Trôm',
      slug: 'giong-trom',
      communes: ['Thị trấn Giồng Trôm', 'Bình Hòa', 'Bình Thành', 'Châu Bình', 'Châu Hòa', 'Hưng Lễ', 'Hưng Nhượng', 'Hưng Phong', 'Lương Hòa', 'Lương Phú', 'Lương Quới', 'Mỹ Thạnh', 'Phong Mỹ', 'Phong Nẫm', 'Phước Long', 'Sơn Phú', 'Tân Hào', 'Tân Lợi Thạnh', 'Tân Thanh', 'Thạnh Phú Đông', 'Thuận Điền'],
    },
    {
      name: 'Bình Đại',
      slug: 'binh-dai',
      communes: ['Thị trấn Bình Đại', 'Bình Thắng', 'Bình Thới', 'Châu Hưng', 'Đại Hòa Lộc', 'Định Trung', 'Lộc Thuận', 'Long Định', 'Long Hòa', 'Phú Long', 'Phú Thuận', 'Phú Vang', 'Tam Hiệp', 'Thạnh Phước', 'Thạnh Trị', 'Thới Lai', 'Thới Thuận', 'Thừa Đức', 'Vang Quới Đông', 'Vang Quới Tây'],
    },
    {
      name: 'Ba Tri',
      slug: 'ba-tri',
      communes: ['Thị trấn Ba Tri', 'An Đức', 'An Hiệp', 'An Hòa Tây', 'An Ngãi Tây', 'An Ngãi Trung', 'An Phú Trung', 'An Thủy', 'Bảo Thạnh', 'Bảo Thuận', 'Mỹ Chánh', 'Mỹ Hòa', 'Mỹ Nhơn', 'Mỹ Thạnh', 'Phú Lễ', 'Phước Ngãi', 'Tân Hưng', 'Tân Mỹ', 'Tân Thủy', 'Tân Xuân', 'Vĩnh An', 'Vĩnh Hòa'],
    },
    {
      name: 'Thạnh Phú',
      slug: 'thanh-phu',
      communes: ['Thị trấn Thạnh Phú', 'An Điền', 'An Nhơn', 'An Qui', 'An Thạnh', 'An Thuận', 'Bình Thạnh', 'Đại Điền', 'Giao Thạnh', 'Hòa Lợi', 'Mỹ An', 'Mỹ Hưng', 'Phú Khánh', 'Quới Điền', 'Tân Phong', 'Thạnh Hải', 'Thạnh Phong', 'Thới Thạnh'],
    },
    {
      name: 'Thành phố Bến Tre',
      slug: 'tp-ben-tre',
      communes: ['Phường An Hội', 'Phường Phú Khương', 'Phường Phú Tân', 'Phường 4', 'Phường 5', 'Phường 6', 'Phường 7', 'Phường 8', 'Bình Phú', 'Mỹ Thạnh An', 'Nhơn Thạnh', 'Phú Hưng', 'Phú Nhuận', 'Sơn Đông'],
    },
  ],
};

/** People schools are named after: heroes, scholars, writers, teachers. */
export const PEOPLE: readonly string[] = [
  'Nguyễn Du', 'Lê Quý Đôn', 'Trần Hưng Đạo', 'Nguyễn Trãi', 'Lê Lợi', 'Quang Trung', 'Chu Văn An', 'Nguyễn Bỉnh Khiêm',
  'Lý Thường Kiệt', 'Trần Quốc Toản', 'Võ Thị Sáu', 'Nguyễn Thị Minh Khai', 'Kim Đồng', 'Lê Văn Tám', 'Nguyễn Văn Trỗi',
  'Phan Bội Châu', 'Phan Chu Trinh', 'Huỳnh Thúc Kháng', 'Nguyễn Đình Chiểu', 'Trương Định', 'Nguyễn Trung Trực', 'Hùng Vương',
  'Ngô Quyền', 'Đinh Tiên Hoàng', 'Lê Hồng Phong', 'Trần Phú', 'Hoàng Hoa Thám', 'Tô Hiến Thành', 'Trần Quang Khải',
  'Phạm Ngũ Lão', 'Lương Thế Vinh', 'Nguyễn Khuyến', 'Đoàn Thị Điểm', 'Bà Triệu', 'Hai Bà Trưng', 'Lê Thánh Tông',
  'Mạc Đĩnh Chi', 'Nguyễn Hiền', 'Trần Đại Nghĩa', 'Tôn Đức Thắng', 'Nguyễn Thị Định', 'Võ Trường Toản', 'Phan Văn Trị',
  'Trương Vĩnh Ký', 'Huỳnh Tấn Phát', 'Lê Anh Xuân', 'Ngô Văn Cấn', 'Diệp Minh Châu', 'Sương Nguyệt Anh', 'Phan Thanh Giản',
  'Lạc Long Quân', 'Trần Văn Ơn', 'Lê Hoàng Chiếu', 'Phan Ngọc Tòng', 'Ca Văn Thỉnh', 'Nguyễn Huệ', 'Tán Kế', 'Đồng Khởi',
  'Nguyễn Văn Cừ', 'Võ Văn Kiệt', 'Lê Văn Thịnh', 'Hồ Xuân Hương', 'Nguyễn Thái Học', 'Yết Kiêu', 'Trần Nhân Tông',
];

/** What kindergartens are called: flowers, songbirds, childhood. */
export const PRESCHOOL_NAMES: readonly string[] = [
  'Hoa Sen', 'Hoa Mai', 'Hoa Hồng', 'Họa Mi', 'Sơn Ca', 'Vành Khuyên', 'Bông Sen', 'Hướng Dương', 'Tuổi Thơ', 'Măng Non',
  'Bình Minh', 'Ánh Dương', 'Hoa Phượng', 'Hoa Cúc', 'Thỏ Ngọc', 'Sao Mai', 'Rạng Đông', 'Hoa Lan', 'Hoa Đào', 'Búp Sen',
  'Ánh Sao', 'Tuổi Hồng', 'Hoa Dừa', 'Bông Mai', 'Hoa Sữa', 'Sen Hồng', 'Chim Non', 'Hoa Ban',
];

/** A readable id part from a Vietnamese name: "Hưng Khánh Trung B" → "hung-khanh-trung-b". */
export function slug(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}
